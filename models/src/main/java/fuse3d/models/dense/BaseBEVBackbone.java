package fuse3d.models.dense;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.ConvNd;
import fuse3d.nn.Identity;
import fuse3d.nn.Init;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.nn.backbone.SECONDFPN;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OpenPCDet's BaseBEVBackbone: a stack of strided 2D conv blocks over the BEV map, each level brought back to a
 * common resolution by a deblock and concatenated into {@code spatial_features_2d}.
 *
 * <p>State-dict names are OpenPCDet's: {@code blocks.i.1.weight} (the first, strided conv), {@code blocks.i.2.*}
 * (its BN), then {@code blocks.i.(3k+4)} / {@code (3k+5)} for the k-th extra conv and BN; {@code deblocks.i.0.weight}
 * and {@code deblocks.i.1.*}. The deblocks are {@link SECONDFPN}'s (the same layers), whose list is registered here
 * directly so the names carry no extra prefix.
 */
public final class BaseBEVBackbone extends Module {
    private final BaseBevBackboneConfig cfg;
    private final int inputChannels;
    private final ModuleList<Sequential> blocks;
    private final SECONDFPN fpn;

    public BaseBEVBackbone(BaseBevBackboneConfig cfg, int inputChannels, Generator g) {
        if (inputChannels < 1) throw new IllegalArgumentException("BaseBEVBackbone: input channels must be >= 1, got " + inputChannels);
        this.cfg = cfg;
        this.inputChannels = inputChannels;
        blocks = registerModule("blocks", new ModuleList<>());
        int cIn = inputChannels;
        for (int i = 0; i < cfg.levels(); i++) {
            int f = cfg.numFilters()[i];
            // slot 0 is OpenPCDet's ZeroPad2d(1); padding the conv by 1 instead gives the same output without a
            // padded copy, and the Identity keeps the parameter indices (blocks.i.1 is the conv) those of a checkpoint
            Sequential block = new Sequential(new Identity(), new Conv2d(cIn, f, 3, cfg.layerStrides()[i], 1, false, g),
                    new BatchNorm2d(f, 1e-3, 0.01), new ReLU());
            for (int k = 0; k < cfg.layerNums()[i]; k++) {
                block.add(new Conv2d(f, f, 3, 1, 1, false, g));
                block.add(new BatchNorm2d(f, 1e-3, 0.01));
                block.add(new ReLU());
            }
            blocks.add(block);
            cIn = f;
        }
        if (cfg.upsampleStrides().length > 0) {
            fpn = new SECONDFPN(cfg.numFilters(), cfg.numUpsampleFilters(), cfg.upsampleStrides(), false, g);
            ModuleList<?> deblocks = (ModuleList<?>) fpn.namedChildren().get("deblocks");
            // OpenPCDet keeps PyTorch's default init for the transposed convs (SECONDFPN follows mmdet3d's kaiming)
            for (Module d : deblocks) {
                ConvNd up = (ConvNd) ((Sequential) d).get(0);
                if (up.transposed()) up.weight().data().copy_(Init.defaultWeight(g, up.weight().shape()));
            }
            registerModule("deblocks", deblocks);
        } else {
            fpn = null;
        }
    }

    public BaseBevBackboneConfig config() { return cfg; }

    /** Channels of {@code spatial_features_2d}: the deblocks' filters summed, or the levels' filters without deblocks. */
    public int outChannels() {
        return fpn != null ? fpn.outChannels() : Arrays.stream(cfg.numFilters()).sum();
    }

    /** spatial_features [B, C, H, W] to spatial_features_2d [B, outChannels, H', W']. */
    public Var forward(Var spatialFeatures) {
        int[] s = spatialFeatures.shape();
        if (s.length != 4 || s[1] != inputChannels)
            throw new IllegalArgumentException("BaseBEVBackbone: spatial_features must be [B, " + inputChannels + ", H, W], got " + Shape.str(s));
        List<Var> ups = new ArrayList<>();
        Var x = spatialFeatures;
        for (Sequential block : blocks) {
            x = block.apply(x);
            ups.add(x);
        }
        if (fpn != null) return fpn.forward(ups);
        return ups.size() == 1 ? ups.get(0) : Var.cat(1, ups);
    }
}
