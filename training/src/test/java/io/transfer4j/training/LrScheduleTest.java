package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class LrScheduleTest {
    private static final double EPS = 1e-12;

    private static Progress at(int epoch, int batch) {
        return new Progress(epoch, batch, 10, 10);
    }

    @Test
    void constantIsConstant() {
        LrSchedule s = LrSchedule.constant(1e-3);
        assertEquals(1e-3, s.lr(at(0, 0)), EPS);
        assertEquals(1e-3, s.lr(at(9, 9)), EPS);
    }

    @Test
    void stepDecaysEveryNEpochs() {
        LrSchedule s = LrSchedule.step(0.1, 3, 0.5);
        assertEquals(0.1, s.lr(at(2, 9)), EPS);
        assertEquals(0.05, s.lr(at(3, 0)), EPS);
        assertEquals(0.025, s.lr(at(6, 0)), EPS);
    }

    @Test
    void exponentialMultipliesPerEpoch() {
        LrSchedule s = LrSchedule.exponential(0.1, 0.9);
        assertEquals(0.1 * 0.9 * 0.9, s.lr(at(2, 5)), EPS);
    }

    @Test
    void polynomialGoesFromStartToEnd() {
        LrSchedule s = LrSchedule.polynomial(0.1, 0.01, 1);
        assertEquals(0.1, s.lr(at(0, 0)), EPS);
        assertEquals(0.055, s.lr(at(5, 0)), EPS);
        assertEquals(0.01 + 0.09 * 0.01, s.lr(at(9, 9)), 1e-9);
    }

    @Test
    void cosineHalfWayIsTheMean() {
        LrSchedule s = LrSchedule.cosine(0.1, 0.0);
        assertEquals(0.1, s.lr(at(0, 0)), EPS);
        assertEquals(0.05, s.lr(at(5, 0)), 1e-12);
        assertTrue(s.lr(at(9, 9)) < 0.001);
    }

    @Test
    void cosineRestartsJumpsBackUpAndLengthensCycles() {
        LrSchedule s = LrSchedule.cosineRestarts(0.1, 0.0, 2, 2);
        assertEquals(0.1, s.lr(at(0, 0)), EPS);
        assertEquals(0.05, s.lr(at(1, 0)), 1e-12);   // half of the first 2-epoch cycle
        assertEquals(0.1, s.lr(at(2, 0)), EPS);       // restart
        assertEquals(0.05, s.lr(at(4, 0)), 1e-12);   // half of the second, 4-epoch cycle
        assertEquals(0.1, s.lr(at(6, 0)), EPS);       // next restart after 2 + 4 epochs
    }

    @Test
    void warmupRisesLinearlyThenFollows() {
        LrSchedule s = LrSchedule.warmup(1, LrSchedule.constant(0.1));
        assertEquals(0.01, s.lr(at(0, 0)), EPS);       // first batch of 10 counts as done
        assertEquals(0.05, s.lr(at(0, 4)), EPS);
        assertEquals(0.1, s.lr(at(1, 0)), EPS);
        assertEquals(0.1, s.lr(at(5, 0)), EPS);
    }

    @Test
    void oneCycleStartsLowPeaksThenAnnealsFar() {
        LrSchedule.OneCycle s = new LrSchedule.OneCycle(0.01, 0.25, 25, 1e4);
        Progress first = new Progress(0, 0, 10, 4);
        Progress peak = new Progress(0, 10, 10, 4); // iteration 10 of 40 ~ 25 %
        Progress last = new Progress(3, 9, 10, 4);
        assertEquals(0.01 / 25, s.lr(first), 1e-12);
        assertTrue(Math.abs(s.lr(new Progress(1, 0, 10, 4)) - 0.01) < 2e-4, "peak near 25 %");
        assertTrue(s.lr(peak) > 0.009);
        assertEquals(0.01 / 25 / 1e4, s.lr(last), 1e-12);
    }

    @Test
    void customIsCheckedWhenCalled() {
        LrSchedule ok = LrSchedule.custom("halving", p -> 0.1 / (1 + p.epoch()));
        assertEquals(0.05, ok.lr(at(1, 0)), EPS);
        LrSchedule bad = LrSchedule.custom("zero", p -> 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.lr(at(2, 3)));
        assertTrue(e.getMessage().contains("'zero' returned 0.0 at epoch 2, batch 3"), e.getMessage());
    }

    @Test
    void nonPositiveRatesAreRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(0));
        assertEquals("constant schedule: lr must be a finite learning rate > 0; received 0.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.oneCycle(-1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0.1, 0.2));
    }

    @Test
    void samePprogressSameValue_pureFunction() {
        LrSchedule s = LrSchedule.warmup(0.5, LrSchedule.cosineRestarts(0.1, 1e-4, 3, 1.5));
        for (int e = 0; e < 10; e++) {
            for (int b = 0; b < 10; b++) {
                assertEquals(s.lr(at(e, b)), s.lr(at(e, b)));
            }
        }
    }

    @Test
    void schedulesRoundTripThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<LrSchedule> all = List.of(LrSchedule.constant(1e-3), LrSchedule.step(0.1, 2, 0.5),
                LrSchedule.exponential(0.1, 0.9), LrSchedule.polynomial(0.1, 1e-3, 2), LrSchedule.cosine(0.1, 0),
                LrSchedule.cosineRestarts(0.1, 0, 2, 2), LrSchedule.warmup(1, LrSchedule.cosine(0.1, 0)),
                LrSchedule.oneCycle(0.01));
        for (LrSchedule s : all) {
            String text = json.writeValueAsString(s);
            assertEquals(s, json.readValue(text, LrSchedule.class), text);
        }
        assertEquals("{\"type\":\"step\",\"lr\":0.1,\"everyEpochs\":2,\"gamma\":0.5}",
                json.writeValueAsString(LrSchedule.step(0.1, 2, 0.5)));
    }
}
