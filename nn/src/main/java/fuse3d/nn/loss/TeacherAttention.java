package fuse3d.nn.loss;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Weight maps computed from a teacher's feature map [B, C, d1, ..., dk] (a BEV map is [B, C, H, W]), used to
 * decide where (and on which channels) a student should imitate it. Constants: no gradient flows through them.
 *
 * <ul>
 * <li>{@link #spatial}: the spatial attention of attention-guided / focal feature distillation (Zhang and Ma,
 *     "Improve Object Detection with Feature-based Knowledge Distillation", ICLR 2021; reused by FGD, Yang et
 *     al., CVPR 2022): {@code A_S = S * softmax_over_positions(mean_c |F| / T)} with S the number of positions.</li>
 * <li>{@link #channel}: the matching channel attention {@code A_C = C * softmax_over_channels(mean_positions |F| / T)}.</li>
 * <li>{@link #intensity}: IMKD's activation intensity as read in docs/models.md (hypothesis H1, RadarDistill's
 *     "activation intensity"): {@code I = mean_c |F| / max_positions(mean_c |F|)} in [0, 1] per sample.</li>
 * </ul>
 * The attentions average to 1 over their axis, so a uniform teacher gives weights of exactly 1.
 */
public final class TeacherAttention {
    private TeacherAttention() {}

    /** FGD's and Zhang and Ma's temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.5;

    /** Spatial attention, shaped [B, 1, d1, ..., dk]. */
    public static Tensor spatial(Tensor feature, double temperature) {
        int[] s = check("spatial attention", feature, temperature);
        int positions = positions(s);
        Tensor g = feature.abs().mean(new int[] {1}, true);              // [B, 1, d...]
        Tensor flat = g.reshape(s[0], positions);
        Tensor a = flat.div(Tensor.scalar(temperature, feature.dtype())).softmax(1).mul((double) positions);
        return a.reshape(keepChannel(s, 1));
    }

    /** Channel attention, shaped [B, C, 1, ..., 1]. */
    public static Tensor channel(Tensor feature, double temperature) {
        int[] s = check("channel attention", feature, temperature);
        Tensor flat = feature.abs().reshape(s[0], s[1], positions(s)).mean(new int[] {2}, false); // [B, C]
        Tensor a = flat.div(Tensor.scalar(temperature, feature.dtype())).softmax(1).mul((double) s[1]);
        int[] out = new int[s.length];
        Arrays.fill(out, 1);
        out[0] = s[0];
        out[1] = s[1];
        return a.reshape(out);
    }

    /** Activation intensity in [0, 1], shaped [B, 1, d1, ..., dk]; all-zero where a sample's features are all 0. */
    public static Tensor intensity(Tensor feature) {
        int[] s = check("intensity", feature, 1.0);
        Tensor g = feature.abs().mean(new int[] {1}, true);                        // [B, 1, d...]
        Tensor peak = g.reshape(s[0], positions(s)).amax(new int[] {1}, false);    // [B]
        int[] bShape = new int[s.length];
        Arrays.fill(bShape, 1);
        bShape[0] = s[0];
        Tensor safePeak = Tensor.where(peak.eq(0.0), Tensor.scalar(1.0, peak.dtype()), peak).reshape(bShape);
        return g.div(safePeak);
    }

    private static int[] check(String what, Tensor feature, double temperature) {
        if (!feature.dtype().isFloating())
            throw new IllegalArgumentException(what + ": the teacher feature must be floating, got " + feature.dtype().torchName()
                    + " of shape " + Shape.str(feature.shape()));
        if (feature.dim() < 2)
            throw new IllegalArgumentException(what + ": the teacher feature must be [B, C, d1, ...], got shape " + Shape.str(feature.shape()));
        if (!(temperature > 0)) throw new IllegalArgumentException(what + ": temperature must be > 0, got " + temperature);
        return feature.shape();
    }

    private static int positions(int[] s) {
        int p = 1;
        for (int i = 2; i < s.length; i++) p *= s[i];
        return p;
    }

    private static int[] keepChannel(int[] s, int channels) {
        int[] out = s.clone();
        out[1] = channels;
        return out;
    }
}
