package io.transfer4j.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

import io.transfer4j.internal.AtomicFiles;

/**
 * Keras's {@code CSVLogger}: after every epoch the whole history so far is written to {@code file} (atomically;
 * a resumed run's file therefore holds the epochs before and after the interruption, each once).
 */
public final class CsvLogger implements Callback {
    private final Path file;

    public CsvLogger(Path file) {
        this.file = Objects.requireNonNull(file, "CSV file is required");
    }

    @Override
    public String id() {
        return "CsvLogger:" + file.getFileName();
    }

    @Override
    public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
        try {
            AtomicFiles.writeString(file, new History(control.history()).toCsv());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write history CSV " + file + ": " + e.getMessage(), e);
        }
        return Decision.CONTINUE;
    }
}
