package fuse3d.autograd;

/**
 * Whether ops record the graph on this thread. Inside {@link #noGrad()} nothing is recorded, as under
 * PyTorch's {@code torch.no_grad()}: evaluation, optimizer steps and running-statistics updates use it.
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** A scope in which nothing is recorded; closing it restores the previous mode. */
    public static Scope noGrad() { return set(false); }

    /** A scope in which recording is on again (inside an outer no-grad scope). */
    public static Scope enableGrad() { return set(true); }

    private static Scope set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = on;
        return () -> flag[0] = previous;
    }

    /** A try-with-resources scope that cannot throw on close. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
