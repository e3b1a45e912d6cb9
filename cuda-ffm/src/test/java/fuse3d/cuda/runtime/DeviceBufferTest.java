package fuse3d.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Deterministic close, idempotence, and the cleaner as the safety net that also counts the leak. */
class DeviceBufferTest {

    @Test
    void closeFreesOnceAndUseAfterCloseIsAnError() {
        FakeDevice dev = new FakeDevice(1 << 20);
        DeviceBuffer b = DeviceBuffer.allocate(dev, 1000);
        assertEquals(1000, b.bytes());
        assertEquals(1, dev.live.size());
        b.close();
        b.close();
        assertEquals(0, dev.live.size());
        assertEquals(1, dev.freeCalls);
        assertTrue(b.isClosed());
        assertThrows(IllegalStateException.class, b::ptr);
    }

    @Test
    void anUnclosedBufferIsFreedByTheCleanerAndCounted() throws Exception {
        FakeDevice dev = new FakeDevice(1 << 20);
        long before = DeviceBuffer.leaks();
        allocateAndDrop(dev);
        for (int i = 0; i < 200 && !dev.live.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(dev.live.isEmpty(), "the cleaner never freed the dropped buffer");
        assertEquals(before + 1, DeviceBuffer.leaks());
    }

    private static void allocateAndDrop(FakeDevice dev) {
        DeviceBuffer.allocate(dev, 4096);
    }
}
