package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the Keras 2 {@code save_weights} HDF5 layout with the bytedeco HDF5 bindings (DL4J's own
 * {@code Hdf5Archive} mangles string-array attributes): root attribute {@code layer_names} (fixed-length,
 * NUL-padded strings; {@code layer_names0}, {@code layer_names1}, ... when split), one group per layer with a
 * {@code weight_names} attribute (an empty float64 array for layers without weights), datasets at
 * {@code <layer>/<weight_name>}. Files saved with {@code model.save} keep the same layout under
 * {@code model_weights}. Weights are returned in the file's order (kernel, bias; gamma, beta, moving mean,
 * moving variance), as float32 arrays in the file's (TensorFlow) shapes.
 */
public final class KerasH5File {
    /* HDF5 is not thread-safe: one lock for every use in this JVM (a lock, not configuration). */
    private static final ReentrantLock HDF5 = new ReentrantLock();

    private KerasH5File() {
    }

    /** One layer's weights in file order. */
    public record LayerWeights(String layer, List<String> weightNames, List<INDArray> values) {
        public LayerWeights {
            weightNames = List.copyOf(weightNames);
            values = List.copyOf(values);
        }
    }

    /** Layers with weights, in the file's layer order. */
    public static Map<String, LayerWeights> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file " + file);
        }
        HDF5.lock();
        try {
            org.bytedeco.hdf5.Exception.dontPrint();
            try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_RDONLY())) {
                Group root = h5.nameExists("model_weights") ? h5.openGroup("model_weights") : h5;
                if (!root.attrExists("layer_names") && !root.attrExists("layer_names0") && h5.nameExists("layers")
                        && h5.nameExists("vars")) {
                    throw new IOException(file + " is a Keras 3 weights file (groups layers/<name>/vars/<n>, no"
                            + " 'layer_names' attribute); transfer4j reads the Keras 2 save_weights layout of the"
                            + " files keras.applications publishes. Use the published file (transfer4j models info"
                            + " ID lists them), or re-save with Keras 2 / tf.keras: model.save_weights('x.h5')");
                }
                try {
                    List<String> layers = readStrings(root, "layer_names");
                    Map<String, LayerWeights> out = new LinkedHashMap<>();
                    for (String layer : layers) {
                        try (Group g = root.openGroup(layer)) {
                            List<String> names = readStrings(g, "weight_names");
                            List<INDArray> values = new ArrayList<>();
                            for (String w : names) {
                                values.add(readDataSet(g, w));
                            }
                            if (!values.isEmpty()) {
                                out.put(layer, new LayerWeights(layer, names, values));
                            }
                        }
                    }
                    return out;
                } finally {
                    if (root != h5) {
                        root.close();
                    }
                }
            } catch (RuntimeException e) {
                throw new IOException(file + " is not a Keras weights HDF5 file (" + e.getMessage() + ")", e);
            }
        } finally {
            HDF5.unlock();
        }
    }

    /** A string-array attribute; split attributes ({@code name0}, {@code name1}, ...) are joined. */
    private static List<String> readStrings(Group g, String name) throws IOException {
        List<String> out = new ArrayList<>();
        if (g.attrExists(name)) {
            out.addAll(readStringAttribute(g, name));
        } else {
            for (int i = 0; g.attrExists(name + i); i++) {
                out.addAll(readStringAttribute(g, name + i));
            }
            if (out.isEmpty() && !g.attrExists(name + "0")) {
                throw new IOException("attribute '" + name + "' is missing; not a Keras save_weights layout");
            }
        }
        return out;
    }

    private static List<String> readStringAttribute(Group g, String name) throws IOException {
        try (Attribute a = g.openAttribute(name)) {
            if (a.getTypeClass() != hdf5.H5T_STRING) {
                return List.of(); // Keras writes an empty float64 array for a layer without weights
            }
            try (StrType type = a.getStrType(); DataSpace space = a.getSpace()) {
                if (type.isVariableStr()) {
                    throw new IOException("attribute '" + name + "' holds variable-length strings; Keras 2 files"
                            + " use fixed-length ones (is this a Keras 3 .weights.h5 file?)");
                }
                int size = Math.toIntExact(type.getSize());
                int n = Math.toIntExact(space.getSimpleExtentNpoints());
                byte[] bytes = new byte[size * n];
                try (BytePointer buffer = new BytePointer((long) size * n)) {
                    a.read(type, (Pointer) buffer); // the BytePointer overload means std::string
                    buffer.get(bytes);
                }
                List<String> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int end = i * size;
                    while (end < (i + 1) * size && bytes[end] != 0) {
                        end++;
                    }
                    out.add(new String(bytes, i * size, end - i * size, StandardCharsets.UTF_8));
                }
                return out;
            }
        }
    }

    private static INDArray readDataSet(Group g, String path) {
        try (DataSet ds = g.openDataSet(path); DataSpace space = ds.getSpace()) {
            int rank = space.getSimpleExtentNdims();
            long[] dims = new long[rank];
            space.getSimpleExtentDims(dims);
            long n = space.getSimpleExtentNpoints();
            float[] data = new float[Math.toIntExact(n)];
            try (FloatPointer buffer = new FloatPointer(n)) {
                ds.read(buffer, PredType.NATIVE_FLOAT());
                buffer.get(data);
            }
            return rank == 0 ? Nd4j.scalar(data[0]) : Nd4j.create(data, dims, 'c');
        }
    }

    /**
     * Writes layers in Keras' layout (temp file beside {@code file}, then an atomic move). Layers with no weights
     * are listed with an empty {@code weight_names}, as Keras does.
     */
    public static void write(Path file, List<LayerWeights> layers) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        HDF5.lock();
        try {
            org.bytedeco.hdf5.Exception.dontPrint();
            try (H5File h5 = new H5File(tmp.toString(), hdf5.H5F_ACC_TRUNC())) {
                writeStrings(h5, "layer_names", layers.stream().map(LayerWeights::layer).toList());
                for (LayerWeights l : layers) {
                    try (Group g = h5.createGroup(l.layer())) {
                        writeStrings(g, "weight_names", l.weightNames());
                        for (int i = 0; i < l.values().size(); i++) {
                            writeDataSet(g, l.weightNames().get(i), l.values().get(i));
                        }
                    }
                }
            } catch (RuntimeException e) {
                throw new IOException("could not write " + tmp + ": " + e.getMessage(), e);
            }
        } finally {
            HDF5.unlock();
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Keras' limit for one attribute (HDF5_OBJECT_HEADER_LIMIT); longer lists are split as Keras splits them. */
    static final int ATTRIBUTE_LIMIT = 64512;

    private static void writeStrings(Group g, String name, List<String> values) {
        int size = Math.max(1, values.stream().mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length).max()
                .orElse(1));
        if ((long) size * values.size() < ATTRIBUTE_LIMIT) {
            writeStringAttribute(g, name, values, size);
            return;
        }
        int chunks = 1;
        while ((long) size * ((values.size() + chunks - 1) / chunks) >= ATTRIBUTE_LIMIT) {
            chunks++;
        }
        // numpy.array_split: the first (n % chunks) parts get one element more
        int base = values.size() / chunks;
        int extra = values.size() % chunks;
        int from = 0;
        for (int c = 0; c < chunks; c++) {
            int to = from + base + (c < extra ? 1 : 0);
            writeStringAttribute(g, name + c, values.subList(from, to), size);
            from = to;
        }
    }

    private static void writeStringAttribute(Group g, String name, List<String> values, int size) {
        if (values.isEmpty()) {
            try (DataSpace space = new DataSpace(1, new long[] {0})) {
                g.createAttribute(name, PredType.NATIVE_DOUBLE(), space).close(); // Keras' empty float64 array
                return;
            }
        }
        byte[] bytes = new byte[size * values.size()];
        for (int i = 0; i < values.size(); i++) {
            byte[] v = values.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(v, 0, bytes, i * size, v.length);
        }
        try (StrType type = new StrType(PredType.C_S1(), size);
             DataSpace space = new DataSpace(1, new long[] {values.size()});
             Attribute a = g.createAttribute(name, type, space);
             BytePointer buffer = new BytePointer(bytes)) {
            a.write(type, (Pointer) buffer);
        }
    }

    private static void writeDataSet(Group layer, String path, INDArray value) {
        String[] parts = path.split("/");
        Group parent = layer;
        List<Group> opened = new ArrayList<>();
        try {
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.nameExists(parts[i]) ? parent.openGroup(parts[i]) : parent.createGroup(parts[i]);
                opened.add(parent);
            }
            float[] data = value.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            try (DataSpace space = new DataSpace(value.rank(), value.shape());
                 DataSet ds = parent.createDataSet(parts[parts.length - 1], PredType.NATIVE_FLOAT(), space);
                 FloatPointer buffer = new FloatPointer(data)) {
                ds.write(buffer, PredType.NATIVE_FLOAT());
            }
        } finally {
            for (Group g : opened) {
                g.close();
            }
        }
    }
}
