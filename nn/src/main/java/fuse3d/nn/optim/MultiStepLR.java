package fuse3d.nn.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch's MultiStepLR in its closed form: {@code lr = base * gamma^k}, {@code k} the number of milestones
 * {@code <= t} (a milestone listed twice counts twice, as torch's Counter does).
 */
public final class MultiStepLR extends LrSchedule {
    public static final String TYPE = "MultiStepLR";

    private final long[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, long[] milestones, double gamma) {
        super(TYPE, optimizer, null);
        if (!(gamma >= 0 && gamma < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(TYPE + ": gamma must be finite and >= 0, got " + gamma);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        start();
    }

    @Override
    public double lr(int group, long t) {
        int k = 0;
        for (long m : milestones) if (m <= t) k++;
        return baseLr(group) * StrictMath.pow(gamma, k);
    }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        List<Long> ms = new ArrayList<>();
        for (long m : milestones) ms.add(m);
        c.put("milestones", ms);
        c.put("gamma", gamma);
        return c;
    }
}
