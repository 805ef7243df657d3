package dev.glimpse.common.testing;

import java.lang.management.ManagementFactory;
import org.bytedeco.javacpp.Pointer;

/**
 * What a piece of code allocates: Java heap bytes allocated by the calling thread (HotSpot's
 * per-thread counter, exact and independent of garbage collection) and JavaCPP's off-heap total
 * (where ND4J arrays live). Hostile-input tests use it to show a refusal happened before the
 * declared size was allocated.
 */
public final class Allocations {
    /** Bytes allocated while running one action, and the exception it threw (null if none). */
    public record Measured(long heapBytes, long offHeapBytes, RuntimeException thrown) {}

    private Allocations() {}

    public static Measured measure(Runnable action) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long heap0 = bean.getThreadAllocatedBytes(tid);
        long off0 = Pointer.totalBytes();
        RuntimeException thrown = null;
        try {
            action.run();
        } catch (RuntimeException e) {
            thrown = e;
        }
        return new Measured(bean.getThreadAllocatedBytes(tid) - heap0, Pointer.totalBytes() - off0, thrown);
    }
}
