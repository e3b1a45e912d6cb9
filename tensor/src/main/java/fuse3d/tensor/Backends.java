package fuse3d.tensor;

import fuse3d.tensor.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the backend for a device: the CPU reference is built in, others come through ServiceLoader. */
public final class Backends {
    private static final CpuBackend CPU = new CpuBackend();
    private static volatile List<Backend> loaded;

    private Backends() {}

    public static Backend cpu() { return CPU; }

    /** The backend owning tensors on {@code device}; a clear error when none is installed. */
    public static Backend forDevice(Device device) {
        if (device.equals(Device.CPU)) return CPU;
        for (Backend b : all()) if (b.supports(device)) return b;
        throw new IllegalStateException("no backend for device " + device + " (installed: " + names()
                + "); a CUDA backend needs the fuse3d-cuda-ffm module on the class path and a GPU with its driver");
    }

    /** Every backend found: the CPU one first, then those ServiceLoader finds. */
    public static List<Backend> all() {
        List<Backend> l = loaded;
        if (l == null) {
            synchronized (Backends.class) {
                if (loaded == null) {
                    List<Backend> found = new ArrayList<>();
                    found.add(CPU);
                    for (Backend b : ServiceLoader.load(Backend.class)) if (b.getClass() != CpuBackend.class) found.add(b);
                    loaded = List.copyOf(found);
                }
                l = loaded;
            }
        }
        return l;
    }

    private static String names() {
        StringBuilder sb = new StringBuilder();
        for (Backend b : all()) sb.append(sb.isEmpty() ? "" : ", ").append(b.name());
        return sb.toString();
    }
}
