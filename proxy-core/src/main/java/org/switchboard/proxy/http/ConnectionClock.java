package org.switchboard.proxy.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * One timer for everything a connection waits for (the next request, the rest of a head, the
 * rest of a body, the upstream's answer, a lingering close). When it fires, the connection says
 * what is overdue and when to look next; a deadline that comes sooner than the armed one moves it
 * earlier. In the common case a request schedules nothing: the timer armed a few seconds ago is
 * still the earliest deadline.
 */
public final class ConnectionClock implements Runnable {
    /** A timer that would fire within this of the wanted time is left as it is. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final EventExecutor executor;
    private final Ticker ticker;
    private final LongUnaryOperator onTick;
    private ScheduledFuture<?> timer;
    private long firesAtNanos;
    private boolean stopped;

    /**
     * @param onTick given the time now, acts on whatever is overdue and returns when to look
     *               next (a time of the executor's ticker), or {@link Long#MAX_VALUE} for never
     */
    public ConnectionClock(EventExecutor executor, LongUnaryOperator onTick) {
        this.executor = executor;
        this.ticker = executor.ticker();
        this.onTick = onTick;
    }

    /** Makes sure the connection is looked at no later than {@code deadlineNanos}. */
    public void by(long deadlineNanos) {
        if (stopped || (timer != null && firesAtNanos <= deadlineNanos + SLACK_NANOS)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        arm(deadlineNanos);
    }

    private void arm(long deadlineNanos) {
        firesAtNanos = deadlineNanos;
        long delay = Math.max(deadlineNanos - ticker.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1));
        // Itself the task: no lambda held per armed timer, on every connection.
        timer = executor.schedule(this, delay, TimeUnit.NANOSECONDS);
    }

    /** The timer fired: only the event loop calls this. */
    @Override
    public void run() {
        timer = null;
        if (stopped) {
            return;
        }
        long next = onTick.applyAsLong(ticker.nanoTime());
        if (next != Long.MAX_VALUE) {
            // A deadline set during the tick armed a timer already: this one may still be sooner.
            by(next);
        }
    }

    public void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
