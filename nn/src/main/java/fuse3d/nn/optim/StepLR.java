package fuse3d.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch's StepLR in its closed form: {@code lr = base * gamma^floor(t / step_size)}. (torch's own
 * {@code step()} multiplies the current rate by gamma instead, which can differ in the last bit of the double.)
 */
public final class StepLR extends LrSchedule {
    public static final String TYPE = "StepLR";

    private final long stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, long stepSize, double gamma) {
        super(TYPE, optimizer, null);
        if (stepSize <= 0) throw new IllegalArgumentException(TYPE + ": step_size must be positive, got " + stepSize);
        if (!(gamma >= 0 && gamma < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(TYPE + ": gamma must be finite and >= 0, got " + gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    public double lr(int group, long t) { return baseLr(group) * StrictMath.pow(gamma, (double) (t / stepSize)); }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("step_size", stepSize);
        c.put("gamma", gamma);
        return c;
    }
}
