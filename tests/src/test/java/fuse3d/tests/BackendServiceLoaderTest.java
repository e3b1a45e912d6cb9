package fuse3d.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Backends;
import fuse3d.tensor.Device;
import fuse3d.tensor.Storage;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Ops dispatch on the tensor's device to the backend that ServiceLoader found for it. */
class BackendServiceLoaderTest {
    @Test
    void pluggedInBackendReceivesTheOps() {
        assertTrue(Backends.all().stream().anyMatch(b -> b.name().equals("counting")), "ServiceLoader did not find the test backend");
        assertInstanceOf(CountingTestBackend.class, Backends.forDevice(CountingTestBackend.DEVICE));
        Tensor a = new Tensor(Storage.wrap(new float[] {1, 2, 3}), new int[] {3}, new int[] {1}, 0, CountingTestBackend.DEVICE);
        int before = CountingTestBackend.BINARY_CALLS.get();
        Tensor c = a.add(a).mul(a);
        assertEquals(before + 2, CountingTestBackend.BINARY_CALLS.get());
        assertEquals(CountingTestBackend.DEVICE, c.device());
        assertArrayEquals(new float[] {2, 8, 18}, c.toFloatArray());
    }

    @Test
    void mixedDevicesAreRefusedButScalarsJoin() {
        Tensor a = new Tensor(Storage.wrap(new float[] {1, 2}), new int[] {2}, new int[] {1}, 0, CountingTestBackend.DEVICE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.vector(1, 1)));
        assertEquals("add: expected all tensors on one device, got counting:0 and cpu (shape [2])", e.getMessage());
        assertArrayEquals(new float[] {3, 4}, a.add(2).toFloatArray());
    }

    @Test
    void unknownDeviceIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.forDevice(Device.cuda(3)));
        assertTrue(e.getMessage().startsWith("no backend for device cuda:3"), e.getMessage());
    }
}
