package org.switchboard.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The metrics' wall clock moves only when ticked, and the meters that read it still report right. */
class CoarseClockTest {
    @Test
    void theWallTimeMovesOnlyWhenTicked() throws InterruptedException {
        CoarseClock clock = new CoarseClock();
        long first = clock.wallTime();
        Thread.sleep(5);
        assertEquals(first, clock.wallTime());

        clock.tick();

        assertTrue(clock.wallTime() >= first + 5, "the tick reads the wall clock again");
    }

    @Test
    void theMonotonicTimeIsReadEveryTime() {
        CoarseClock clock = new CoarseClock();
        long before = System.nanoTime();
        long read = clock.monotonicTime();
        assertTrue(read >= before && read <= System.nanoTime());
    }

    @Test
    void requestTimersCountSumAndKeepTheirMaximumOnIt() {
        ProxyMetrics metrics = new ProxyMetrics(new CoarseClock());
        metrics.request("client", "synapse/sync", "synchrotron", "GET", 200, TimeUnit.MILLISECONDS.toNanos(30));
        metrics.request("client", "synapse/sync", "synchrotron", "GET", 200, TimeUnit.MILLISECONDS.toNanos(10));

        List<String> lines = metrics.scrape().lines().filter(line -> line.startsWith("switchboard_request_duration_seconds_")
                && line.contains("route=\"synapse/sync\"") && !line.contains("_bucket")).sorted().toList();
        metrics.close();

        assertEquals(3, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("switchboard_request_duration_seconds_count{") && lines.get(0).endsWith(" 2"), lines::toString);
        assertTrue(lines.get(1).startsWith("switchboard_request_duration_seconds_max{") && lines.get(1).endsWith(" 0.03"), lines::toString);
        assertTrue(lines.get(2).startsWith("switchboard_request_duration_seconds_sum{") && lines.get(2).endsWith(" 0.04"), lines::toString);
    }
}
