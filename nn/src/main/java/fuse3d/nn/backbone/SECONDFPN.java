package fuse3d.nn.backbone;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.ConvNd;
import fuse3d.nn.ConvTranspose2d;
import fuse3d.nn.Init;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * mmdet3d's SECONDFPN, the neck of SECOND, PointPillars and PartA2: each input level passes through a deblock
 * that brings it to a common resolution (a ConvTranspose2d with kernel = stride = s for s >= 1, or a Conv2d
 * with kernel = stride = 1/s for s < 1; no bias), BatchNorm2d (eps 1e-3, momentum 0.01) and ReLU, and the
 * results are concatenated along channels. Children deblocks.{i}.0 (the conv) and deblocks.{i}.1 (the BN), as
 * in mmdet3d checkpoints. Transposed convs start kaiming_normal(fan_out, relu), mmdet3d's init_cfg; the strided
 * Conv2d keeps PyTorch's default.
 */
public final class SECONDFPN extends Module {
    private final int[] inChannels, outChannels;
    private final ModuleList<Sequential> deblocks;

    /**
     * @param upsampleStrides per level: s >= 1 upsamples by s; s < 1 downsamples by round(1/s)
     * @param useConvForNoStride for s == 1, a 1x1 Conv2d rather than a 1x1 ConvTranspose2d
     */
    public SECONDFPN(int[] inChannels, int[] outChannels, double[] upsampleStrides, boolean useConvForNoStride, Generator g) {
        if (inChannels.length == 0 || inChannels.length != outChannels.length || inChannels.length != upsampleStrides.length)
            throw new IllegalArgumentException("SECONDFPN: in_channels " + Arrays.toString(inChannels) + ", out_channels " + Arrays.toString(outChannels)
                    + " and upsample_strides " + Arrays.toString(upsampleStrides) + " must be non-empty and of equal length");
        this.inChannels = inChannels.clone();
        this.outChannels = outChannels.clone();
        deblocks = registerModule("deblocks", new ModuleList<>());
        for (int i = 0; i < inChannels.length; i++) {
            double s = upsampleStrides[i];
            if (!(s > 0)) throw new IllegalArgumentException("SECONDFPN: upsample stride must be positive, got " + s + " at level " + i);
            ConvNd up;
            if (s > 1 || (s == 1 && !useConvForNoStride)) {
                int k = (int) s;
                if (k != s) throw new IllegalArgumentException("SECONDFPN: an upsample stride above 1 must be whole, got " + s + " at level " + i);
                up = new ConvTranspose2d(inChannels[i], outChannels[i], k, k, 0, false, g);
                up.weight().data().copy_(Init.kaimingNormalFanOut(g, up.weight().shape()));
            } else {
                int k = (int) Math.round(1 / s);
                up = new Conv2d(inChannels[i], outChannels[i], k, k, 0, false, g);
            }
            deblocks.add(new Sequential(up, new BatchNorm2d(outChannels[i], 1e-3, 0.01), new ReLU()));
        }
    }

    /** mmdet3d's default choice for stride 1 (a transposed conv). */
    public SECONDFPN(int[] inChannels, int[] outChannels, double[] upsampleStrides, Generator g) {
        this(inChannels, outChannels, upsampleStrides, false, g);
    }

    /** Channels of the output: the sum of out_channels. */
    public int outChannels() { return Arrays.stream(outChannels).sum(); }

    /** One map [N, sum(out_channels), H, W]; every deblock must land on the same H, W. */
    public Var forward(List<Var> inputs) {
        if (inputs.size() != inChannels.length)
            throw new IllegalArgumentException("SECONDFPN: expected " + inChannels.length + " input levels, got " + inputs.size());
        Var[] ups = new Var[inputs.size()];
        for (int i = 0; i < ups.length; i++) {
            int[] s = inputs.get(i).shape();
            if (s.length != 4 || s[1] != inChannels[i])
                throw new IllegalArgumentException("SECONDFPN: input level " + i + " must be [N, " + inChannels[i] + ", H, W], got " + Shape.str(s));
            ups[i] = deblocks.get(i).apply(inputs.get(i));
            if (i > 0 && !Arrays.equals(Arrays.copyOfRange(ups[i].shape(), 2, 4), Arrays.copyOfRange(ups[0].shape(), 2, 4)))
                throw new IllegalArgumentException("SECONDFPN: level " + i + " comes out " + Shape.str(ups[i].shape()) + " but level 0 comes out "
                        + Shape.str(ups[0].shape()) + "; the strides must bring every level to one size");
        }
        return ups.length == 1 ? ups[0] : Var.cat(1, ups);
    }
}
