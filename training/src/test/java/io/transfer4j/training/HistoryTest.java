package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one history writer: column layout, missing values and the JSON round trip. */
class HistoryTest {

    private static History sample() {
        return new History(List.of(
                new EpochRecord("head", 1, 1.4, 1.5, Map.of(Metric.ACCURACY, 0.5, Metric.VAL_ACCURACY, 0.45), 1e-3,
                        2.5, 120),
                new EpochRecord("fine, res5", 1, 0.3, 0.4, Map.of(Metric.ACCURACY, 0.88, Metric.VAL_ACCURACY, 0.84,
                        Metric.VAL_TOP_K_ACCURACY, 0.99), 1e-4, 4.0, 60)));
    }

    @Test
    void csvStartsWithThePhaseThenTrainingThenValidationMetricsInMetricOrder(@TempDir Path dir) throws Exception {
        sample().write(dir);
        List<String> lines = Files.readAllLines(dir.resolve(History.CSV_FILE));
        assertEquals("phase,epoch,loss,val_loss,accuracy,val_accuracy,val_top_k_accuracy,lr,seconds,images_per_second",
                lines.get(0));
        assertEquals("head,1,1.4,1.5,0.5,0.45,,0.001,2.500,120.0", lines.get(1), "a metric an epoch lacks is empty");
        assertTrue(lines.get(2).startsWith("\"fine, res5\",1,0.3,0.4,0.88,0.84,0.99,"), lines.get(2));
        // only the metrics some epoch has become columns
        History lossOnly = new History(List.of(new EpochRecord("head", 1, 0.5, Double.NaN, Map.of(), 1e-3, 1, 10)));
        assertEquals("phase,epoch,loss,val_loss,lr,seconds,images_per_second", lossOnly.toCsv().lines().findFirst()
                .orElseThrow());
    }

    @Test
    void jsonRoundTripsEveryEpoch(@TempDir Path dir) throws Exception {
        sample().write(dir);
        History back = History.readJson(dir.resolve(History.JSON_FILE));
        assertEquals(sample(), back);
        assertEquals(0.88, back.epochs().get(1).value(Metric.ACCURACY));
    }
}
