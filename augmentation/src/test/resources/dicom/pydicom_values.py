"""Decodes DICOM files with pydicom and prints what DicomDecodeTest compares, as JSON.

For each file: the first frame's values after the modality LUT (rescale slope/intercept), plane after plane
for RGB, and - when the file has a window - pydicom's LINEAR windowing of those values scaled to 0..65535.
Usage: python3 pydicom_values.py FILE... > out.json
"""
import json
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_windowing

out = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        arr = arr[0]
    rgb = ds.get("SamplesPerPixel", 1) == 3
    entry = {"rgb": rgb, "rows": int(ds.Rows), "columns": int(ds.Columns), "frames": frames}
    if rgb:
        entry["values"] = np.transpose(arr, (2, 0, 1)).astype(np.float64).ravel().tolist()
    else:
        mod = apply_modality_lut(arr, ds).astype(np.float64)
        entry["values"] = mod.ravel().tolist()
        if "WindowCenter" in ds and "WindowWidth" in ds:
            win = apply_windowing(mod.copy(), ds)
            # pydicom's output range (apply_windowing's y_min..y_max) mapped to 0..65535
            bits = ds.BitsStored
            if ds.PixelRepresentation == 0:
                y_min, y_max = 0, 2 ** bits - 1
            else:
                y_min, y_max = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
            if "RescaleSlope" in ds and "RescaleIntercept" in ds:
                y_min = y_min * ds.RescaleSlope + ds.RescaleIntercept
                y_max = y_max * ds.RescaleSlope + ds.RescaleIntercept
            entry["windowed"] = ((win - y_min) / (y_max - y_min) * 65535.0).ravel().tolist()
    out[path] = entry
json.dump(out, sys.stdout)
