package fuse3d.nn.backbone;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Resampling;
import fuse3d.autograd.Var;
import fuse3d.nn.Init;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * mmdet's Feature Pyramid Network: a 1x1 lateral conv per used input level, a top-down pass that adds each
 * coarser lateral, nearest-upsampled to the finer one's size, then a 3x3 output conv per level; extra coarser
 * levels come from stride-2 max pooling (kernel 1) of the last output, or from stride-2 3x3 convs. Children
 * lateral_convs.{i}.conv and fpn_convs.{i}.conv (mmcv ConvModules, with bias, no norm or activation, mmdet's
 * defaults), the extra convs continuing the fpn_convs numbering, so mmdet checkpoints load by name.
 * Initialisation as mmdet's: xavier_uniform weights, zero biases.
 */
public final class FPN extends Module {
    /** Where extra levels come from (mmdet's add_extra_convs; NONE = max pooling, true in mmdet = ON_INPUT). */
    public enum ExtraConvs { NONE, ON_INPUT, ON_LATERAL, ON_OUTPUT }

    private final int[] inChannels;
    private final int outChannels, numOuts, startLevel, backboneEndLevel;
    private final ExtraConvs extraConvs;
    private final boolean reluBeforeExtraConvs;
    private final ModuleList<ConvModule> lateralConvs, fpnConvs;

    /**
     * @param inChannels the channels of every input level, finest first
     * @param numOuts    output levels; beyond the used inputs, extra levels are added
     * @param startLevel the first input level used
     * @param endLevel   one past the last input level used, or -1 for all (then no extra levels may be cut off)
     */
    public FPN(int[] inChannels, int outChannels, int numOuts, int startLevel, int endLevel, ExtraConvs extraConvs, boolean reluBeforeExtraConvs,
               Generator g) {
        int numIns = inChannels.length;
        if (numIns == 0 || outChannels <= 0) throw new IllegalArgumentException("FPN: need input levels and positive out_channels, got in "
                + Arrays.toString(inChannels) + ", out " + outChannels);
        if (startLevel < 0 || startLevel >= numIns) throw new IllegalArgumentException("FPN: start_level " + startLevel + " outside the " + numIns + " input levels");
        if (endLevel == -1) {
            backboneEndLevel = numIns;
            if (numOuts < numIns - startLevel)
                throw new IllegalArgumentException("FPN: num_outs " + numOuts + " is fewer than the " + (numIns - startLevel) + " levels used");
        } else {
            // with an explicit end level the pyramid is exactly the levels used, without extras
            if (endLevel <= startLevel || endLevel > numIns)
                throw new IllegalArgumentException("FPN: end_level " + endLevel + " must lie in (start_level " + startLevel + ", " + numIns + "]");
            if (numOuts != endLevel - startLevel)
                throw new IllegalArgumentException("FPN: num_outs " + numOuts + " must equal end_level - start_level = " + (endLevel - startLevel));
            backboneEndLevel = endLevel;
        }
        this.inChannels = inChannels.clone();
        this.outChannels = outChannels;
        this.numOuts = numOuts;
        this.startLevel = startLevel;
        this.extraConvs = extraConvs;
        this.reluBeforeExtraConvs = reluBeforeExtraConvs;
        lateralConvs = registerModule("lateral_convs", new ModuleList<>());
        fpnConvs = registerModule("fpn_convs", new ModuleList<>());
        for (int i = startLevel; i < backboneEndLevel; i++) {
            lateralConvs.add(new ConvModule(inChannels[i], outChannels, 1, 1, 0, false, false, g));
            fpnConvs.add(new ConvModule(outChannels, outChannels, 3, 1, 1, false, false, g));
        }
        int extraLevels = numOuts - backboneEndLevel + startLevel;
        if (extraConvs != ExtraConvs.NONE)
            for (int i = 0; i < extraLevels; i++) {
                int in = i == 0 && extraConvs == ExtraConvs.ON_INPUT ? inChannels[backboneEndLevel - 1] : outChannels;
                fpnConvs.add(new ConvModule(in, outChannels, 3, 2, 1, false, false, g));
            }
        for (ModuleList<ConvModule> list : List.of(lateralConvs, fpnConvs))
            for (ConvModule m : list) {
                var w = m.conv().weight().data();
                w.copy_(Init.xavierUniform(g, 1.0, w.shape()));
                m.conv().bias().data().zero_();
            }
    }

    /** All input levels, max-pooled extra levels (mmdet's defaults apart from the sizes). */
    public FPN(int[] inChannels, int outChannels, int numOuts, Generator g) { this(inChannels, outChannels, numOuts, 0, -1, ExtraConvs.NONE, false, g); }

    public int outChannels() { return outChannels; }

    public int numOuts() { return numOuts; }

    /** The pyramid, finest first: numOuts maps of outChannels channels. */
    public List<Var> forward(List<Var> inputs) {
        if (inputs.size() != inChannels.length)
            throw new IllegalArgumentException("FPN: expected " + inChannels.length + " input levels, got " + inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            int[] s = inputs.get(i).shape();
            if (s.length != 4 || s[1] != inChannels[i])
                throw new IllegalArgumentException("FPN: input level " + i + " must be [N, " + inChannels[i] + ", H, W], got " + Shape.str(s));
        }
        int used = lateralConvs.size();
        List<Var> laterals = new ArrayList<>(used);
        for (int i = 0; i < used; i++) laterals.add(lateralConvs.get(i).apply(inputs.get(i + startLevel)));
        // top-down: resize to the finer map's exact size, so odd sizes (stride-2 rounding) still line up
        for (int i = used - 1; i > 0; i--) {
            int[] fine = laterals.get(i - 1).shape();
            Var up = Resampling.interpolate(laterals.get(i), new int[] {fine[2], fine[3]}, null, "nearest", null);
            laterals.set(i - 1, laterals.get(i - 1).add(up));
        }
        List<Var> outs = new ArrayList<>(numOuts);
        for (int i = 0; i < used; i++) outs.add(fpnConvs.get(i).apply(laterals.get(i)));
        if (numOuts > used) {
            if (extraConvs == ExtraConvs.NONE) {
                int[] one = {1, 1}, two = {2, 2}, zero = {0, 0};
                for (int i = used; i < numOuts; i++) outs.add(Pooling.maxPool2d(outs.getLast(), one, two, zero, one, false).values());
            } else {
                Var source = switch (extraConvs) {
                    case ON_INPUT -> inputs.get(backboneEndLevel - 1);
                    case ON_LATERAL -> laterals.getLast();
                    default -> outs.getLast();
                };
                outs.add(fpnConvs.get(used).apply(source));
                for (int i = used + 1; i < numOuts; i++) {
                    Var prev = outs.getLast();
                    outs.add(fpnConvs.get(i).apply(reluBeforeExtraConvs ? prev.relu() : prev));
                }
            }
        }
        return outs;
    }
}
