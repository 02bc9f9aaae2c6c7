package io.transfer4j.zoo;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of verifying the weight files of one backbone that are on disk.
 *
 * @param id    the backbone id
 * @param files one entry per weight source found on disk (empty: nothing cached)
 */
public record VerifyResult(String id, List<FileCheck> files) {
    public VerifyResult {
        files = List.copyOf(files);
    }

    /** True if at least one file is present and every file present verified. */
    public boolean ok() {
        return !files.isEmpty() && files.stream().allMatch(FileCheck::ok);
    }

    /**
     * @param source   the catalogue source the file belongs to
     * @param file     where it is
     * @param ok       whether the publisher's checksum (and the recorded SHA-256, if any) matched
     * @param actual   the checksum computed, e.g. {@code adler32:3501732770}
     * @param sha256   the file's SHA-256
     * @param message  a one-line explanation
     */
    public record FileCheck(WeightSource source, Path file, boolean ok, String actual, String sha256,
                            String message) {
    }
}
