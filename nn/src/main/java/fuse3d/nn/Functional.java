package fuse3d.nn;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Node;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Stateless layer functions (torch.nn.functional's counterparts) that the modules call. Most are composed
 * from autograd ops, so their derivatives come by composition; batch_norm and embedding record a fused
 * derivative of their own.
 */
public final class Functional {
    private Functional() {}

    /** y = x W^T + b for x [..., in], W [out, in], b [out] or null. */
    public static Var linear(Var x, Var weight, Var bias) {
        int in = weight.size(1);
        if (x.dim() == 0 || x.size(-1) != in)
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " does not end in the weight's in_features " + in
                    + " (weight " + Shape.str(weight.shape()) + ")");
        Var y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /**
     * Layer normalisation over the trailing dims {@code normalizedShape} with biased variance, as
     * torch.nn.functional.layer_norm; weight and bias (shaped as normalizedShape) may be null.
     */
    public static Var layerNorm(Var x, int[] normalizedShape, Var weight, Var bias, double eps) {
        int k = normalizedShape.length;
        int[] s = x.shape();
        if (k > s.length) throw new IllegalArgumentException("layer_norm: normalized_shape " + Shape.str(normalizedShape) + " longer than input " + Shape.str(s));
        for (int i = 0; i < k; i++)
            if (s[s.length - k + i] != normalizedShape[i])
                throw new IllegalArgumentException("layer_norm: input " + Shape.str(s) + " does not end in normalized_shape " + Shape.str(normalizedShape));
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = s.length - k + i;
        Var centred = x.sub(x.mean(dims, true));
        Var variance = centred.square().mean(dims, true);
        Var y = centred.mul(variance.add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
     * otherwise (or p == 0) returns x unchanged.
     */
    public static Var dropout(Var x, double p, boolean training, Generator g) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        Tensor keep = g.bernoulli(1 - p, x.shape()).to(x.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
        return x.mul(keep.mul(1.0 / (1 - p)));
    }

    /**
     * Batch normalisation over every dim but the channel dim 1 of x [N, C, ...], as
     * torch.nn.functional.batch_norm. In training (or when there are no running statistics) it normalises
     * with the batch mean and biased variance and, when running statistics are given, updates them in place:
     * running = (1 - momentum) running + momentum batch, with the unbiased batch variance. Otherwise it
     * normalises with the running statistics. weight and bias ([C]) may be null.
     *
     * <p>The derivative is recorded as one fused node: with xhat = (x - mean) inv_std and g the output
     * gradient, in training dx = inv_std weight / M (M g - sum(g) - xhat sum(g xhat)) (M values per channel,
     * the sums per channel), in evaluation dx = inv_std weight g; dweight = sum(g xhat), dbias = sum(g).
     */
    public static Var batchNorm(Var x, Tensor runningMean, Tensor runningVar, Var weight, Var bias, boolean training, double momentum, double eps) {
        String op = "batch_norm";
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException(op + ": expects an input [N, C, ...], got " + Shape.str(s));
        int c = s[1];
        if ((runningMean == null) != (runningVar == null))
            throw new IllegalArgumentException(op + ": give both running_mean and running_var or neither");
        if (!training && runningMean == null)
            throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var (input " + Shape.str(s) + ")");
        requirePerChannel(op, "running_mean", runningMean, c, s);
        requirePerChannel(op, "running_var", runningVar, c, s);
        requirePerChannel(op, "weight", weight == null ? null : weight.data(), c, s);
        requirePerChannel(op, "bias", bias == null ? null : bias.data(), c, s);
        int[] dims = new int[s.length - 1];
        int[] perChannel = new int[s.length];
        Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        for (int i = 0, k = 0; i < s.length; i++) if (i != 1) dims[k++] = i;
        int count = c == 0 ? 0 : x.numel() / c;

        Tensor xd = x.data();
        Tensor mean, invStd;
        if (training) {
            if (count <= 1)
                throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input " + Shape.str(s));
            mean = xd.mean(dims, true);
            Tensor var = xd.var(dims, 0, true);
            invStd = var.add(eps).rsqrt();
            if (runningMean != null) {
                // statistics are state, not part of the graph (the tensors here are plain values already)
                try (GradMode.Scope _ = GradMode.noGrad()) {
                    Tensor unbiased = var.reshape(c).mul(count / (count - 1.0));
                    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.reshape(c).mul(momentum)));
                    runningVar.copy_(runningVar.mul(1 - momentum).add(unbiased.mul(momentum)));
                }
            }
        } else {
            mean = runningMean.to(xd.dtype()).reshape(perChannel);
            invStd = runningVar.to(xd.dtype()).add(eps).rsqrt().reshape(perChannel);
        }
        // y = (x - mean) * invStd * w + b folded into one per-channel scale and shift: two passes over x
        Tensor w = weight == null ? null : weight.data().reshape(perChannel);
        Tensor scale = w == null ? invStd : invStd.mul(w);
        Tensor shift = mean.mul(scale).neg();
        if (bias != null) shift = shift.add(bias.data().reshape(perChannel));
        Tensor y = F.channelAffine(xd, scale, shift);

        Var[] inputs = weight == null && bias == null ? new Var[] {x}
                : weight == null ? new Var[] {x, bias} : bias == null ? new Var[] {x, weight} : new Var[] {x, weight, bias};
        int wi = weight == null ? -1 : 1, bi = bias == null ? -1 : weight == null ? 1 : 2;
        Node.Rule rule = (g, needs) -> {
            Tensor[] out = new Tensor[inputs.length];
            boolean needX = needs[0], needW = wi > 0 && needs[wi], needB = bi > 0 && needs[bi];
            if (xd.dtype() == DType.FLOAT32 && g.dtype() == DType.FLOAT32) {
                // the fused two-pass kernel; the composition below is its float64 reference (gradchecked)
                Tensor[] r = F.batchNormBackward(g, xd, mean, invStd, scale, training, needX);
                if (needX) out[0] = r[0];
                if (needW) out[wi] = r[2];
                if (needB) out[bi] = r[1];
                return out;
            }
            boolean batchStats = needX && training;
            Tensor sumG = needB || batchStats ? g.sum(dims, true) : null;
            Tensor centred = needW || batchStats ? xd.sub(mean) : null;
            // sum(g * xhat) with xhat = (x - mean) * invStd, from the centred input (no cancellation)
            Tensor sumGXhat = centred == null ? null : g.mul(centred).sum(dims, true).mul(invStd);
            if (needX) {
                if (training) {
                    // dx = scale * (g - sum(g)/N - xhat * sum(g xhat)/N) = g*scale + (x - mean)*k + c per channel
                    Tensor k = scale.mul(invStd).mul(sumGXhat).div((double) -count);
                    Tensor c0 = scale.mul(sumG).div((double) -count);
                    out[0] = g.mul(scale).add(centred.mul(k)).add(c0);
                } else out[0] = g.mul(scale);
            }
            if (needW) out[wi] = sumGXhat.reshape(c);
            if (needB) out[bi] = sumG.reshape(c);
            return out;
        };
        return Var.record(op, y, rule, inputs);
    }

    private static void requirePerChannel(String op, String what, Tensor t, int c, int[] inputShape) {
        if (t != null && (t.dim() != 1 || t.size(0) != c))
            throw new IllegalArgumentException(op + ": " + what + " of shape " + Shape.str(t.shape()) + " does not match the " + c
                    + " channels of input " + Shape.str(inputShape));
    }

    /**
     * Group normalisation of x [N, C, ...] as torch.nn.functional.group_norm: the C channels fall into
     * numGroups groups of C / numGroups, each normalised per sample over its channels and positions with the
     * biased variance; then the per-channel weight and bias ([C], may be null) apply.
     */
    public static Var groupNorm(Var x, int numGroups, Var weight, Var bias, double eps) {
        String op = "group_norm";
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException(op + ": expects an input [N, C, ...], got " + Shape.str(s));
        int c = s[1];
        if (numGroups <= 0 || c % numGroups != 0)
            throw new IllegalArgumentException(op + ": " + c + " channels of input " + Shape.str(s) + " do not split into " + numGroups + " groups");
        requirePerChannel(op, "weight", weight == null ? null : weight.data(), c, s);
        requirePerChannel(op, "bias", bias == null ? null : bias.data(), c, s);
        int[] perChannel = new int[s.length];
        Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        Var grouped = x.reshape(s[0], numGroups, -1);
        int[] last = {2};
        Var centred = grouped.sub(grouped.mean(last, true));
        Var variance = centred.square().mean(last, true);
        Var y = centred.mul(variance.add(eps).rsqrt()).reshape(s);
        if (weight != null) y = y.mul(weight.reshape(perChannel));
        if (bias != null) y = y.add(bias.reshape(perChannel));
        return y;
    }

    /**
     * Rows of weight [num_embeddings, dim] at integer {@code indices} of any shape, giving indices.shape + [dim],
     * as torch.nn.functional.embedding. The weight's gradient adds each output row's gradient into the row it
     * came from (repeated indices accumulate); the paddingIdx row (null = none; negative counts from the end)
     * gets no gradient.
     */
    public static Var embedding(Tensor indices, Var weight, Integer paddingIdx) {
        String op = "embedding";
        if (!indices.dtype().isIntegral())
            throw new IllegalArgumentException(op + ": indices must be int64 or int32, got " + indices.dtype().torchName() + " of shape " + Shape.str(indices.shape()));
        if (weight.dim() != 2) throw new IllegalArgumentException(op + ": weight must be [num_embeddings, dim], got " + Shape.str(weight.shape()));
        int num = weight.size(0), dim = weight.size(1);
        int pad = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + num : paddingIdx;
        if (paddingIdx != null && (pad < 0 || pad >= num))
            throw new IllegalArgumentException(op + ": padding_idx " + paddingIdx + " out of range for " + num + " embeddings");
        Tensor flat = indices.reshape(-1).to(DType.INT64);
        if (flat.numel() > 0) {
            long lo = (long) flat.amin(null, false).item(), hi = (long) flat.amax(null, false).item();
            if (lo < 0 || hi >= num)
                throw new IndexOutOfBoundsException(op + ": indices in [" + lo + ", " + hi + "] out of range for " + num + " embeddings (weight "
                        + Shape.str(weight.shape()) + ")");
        }
        int[] outShape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
        outShape[indices.dim()] = dim;
        Tensor rows = weight.data().indexSelect(0, flat).reshape(outShape);
        DType dt = weight.dtype();
        return Var.record(op, rows, (g, needs) -> {
            Tensor gw = Tensor.zeros(dt, num, dim).indexPut(new Tensor[] {flat}, g.reshape(flat.numel(), dim), true);
            if (pad >= 0) gw.select(0, pad).zero_();
            return new Tensor[] {gw};
        }, weight);
    }
}
