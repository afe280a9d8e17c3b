package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, made to remember what it reports so a test can fail on it. Installed for the
 * engine tests' own JVM by {@code -Dio.netty.customResourceLeakDetector} with the level at PARANOID
 * (jvs-proxy/pom.xml, execution {@code l7-paranoid}).
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {

    static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(resourceType + " leaked: " + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(resourceType + " leaked");
        super.reportUntracedLeak(resourceType);
    }

    /** Whether the detector in this JVM is this one at PARANOID (the execution's set-up). */
    static boolean installed() {
        return ResourceLeakDetector.getLevel() == Level.PARANOID
                && LeakRecorder.class.getName().equals(System.getProperty("io.netty.customResourceLeakDetector"));
    }

    /** Collects garbage and makes the detector look at what was collected, then returns the leaks seen. */
    static List<String> sweep() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            // the detector polls its reference queue when a tracked buffer is allocated
            for (int k = 0; k < 100; k++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        return List.copyOf(LEAKS);
    }
}
