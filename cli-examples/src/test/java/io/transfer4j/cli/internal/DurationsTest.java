package io.transfer4j.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.transfer4j.cli.UsageException;

class DurationsTest {

    @Test
    void readsHoursMinutesAndSecondsAndWritesThemBack() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s", "--time"));
        assertEquals(Duration.ofMinutes(20), Durations.parse("20m", "--time"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m", "--time"));
        assertEquals(Duration.ofSeconds(2 * 3600 + 15 * 60 + 10), Durations.parse(" 2H15m10s ", "--time"));
        for (String s : new String[] {"1h30m", "20m", "45s", "2h5s"}) {
            assertEquals(s, Durations.format(Durations.parse(s, "--time")));
        }
    }

    @Test
    void refusesWhatIsNotADurationSayingWhatIsAllowed() {
        String m = assertThrows(UsageException.class, () -> Durations.parse("90", "--time")).getMessage();
        assertEquals("--time must be a duration such as 90s, 20m, 1h or 1h30m; received '90' (add a unit: 90s, 90m "
                + "or 90h)", m);
        assertTrue(assertThrows(UsageException.class, () -> Durations.parse("1 hour", "--time")).getMessage()
                .contains("received '1 hour'"));
        assertTrue(assertThrows(UsageException.class, () -> Durations.parse("0m", "--time")).getMessage()
                .contains("longer than zero"));
        assertThrows(UsageException.class, () -> Durations.parse("", "--time"));
    }
}
