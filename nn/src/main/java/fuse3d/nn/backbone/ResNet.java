package fuse3d.nn.backbone;

import fuse3d.autograd.Var;
import fuse3d.nn.AdaptiveAvgPool2d;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Init;
import fuse3d.nn.Layer;
import fuse3d.nn.Linear;
import fuse3d.nn.MaxPool2d;
import fuse3d.nn.Module;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's ResNet-18/34/50 with its module names (conv1, bn1, relu, maxpool, layer1..layer4, avgpool, fc;
 * inside the stages "{i}.conv1", "{i}.bn1", ..., "{i}.downsample.0" and ".1"), so torchvision checkpoints load
 * by name. {@link #features} returns the stage outputs C2..C5 (strides 4, 8, 16, 32) for detection and BEV
 * necks; {@link #forward} runs the classification head. {@code width} is the stem's channel count (64 in
 * torchvision; stage i has width 2^(i-2) times the block expansion), smaller for tests.
 */
public final class ResNet extends Layer {
    /** The residual block kind: BasicBlock (expansion 1) or Bottleneck (expansion 4). */
    public enum Block {
        BASIC(BasicBlock.EXPANSION), BOTTLENECK(Bottleneck.EXPANSION);

        public final int expansion;

        Block(int expansion) { this.expansion = expansion; }
    }

    private final Block block;
    private final int width;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu;
    private final MaxPool2d maxpool;
    private final Sequential[] stages = new Sequential[4];
    private final AdaptiveAvgPool2d avgpool;
    private final Linear fc;

    /**
     * @param layers          blocks per stage, e.g. {2, 2, 2, 2} for ResNet-18
     * @param width           stem channels (64 in torchvision)
     * @param numClasses      classes of the fc head; 0 builds no fc, and {@link #forward} then returns the
     *                        pooled features [N, 8 width expansion] (torchvision's {@code fc = Identity()})
     * @param zeroInitResidual start each block's last BN weight at zero, as torchvision's option of that name
     */
    public ResNet(Block block, int[] layers, int width, int numClasses, boolean zeroInitResidual, Generator g) {
        if (layers.length != 4 || Arrays.stream(layers).anyMatch(n -> n <= 0))
            throw new IllegalArgumentException("ResNet: layers must give 4 positive block counts, got " + Arrays.toString(layers));
        if (width <= 0) throw new IllegalArgumentException("ResNet: width must be positive, got " + width);
        if (numClasses < 0) throw new IllegalArgumentException("ResNet: num_classes must be >= 0 (0 = no head), got " + numClasses);
        this.block = block;
        this.width = width;
        conv1 = registerModule("conv1", new Conv2d(3, width, new int[] {7}, new int[] {2}, new int[] {3}, new int[] {1}, 1, false, g));
        bn1 = registerModule("bn1", new BatchNorm2d(width));
        relu = registerModule("relu", new ReLU());
        maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int inplanes = width;
        for (int i = 0; i < 4; i++) {
            int planes = width << i;
            stages[i] = registerModule("layer" + (i + 1), makeStage(inplanes, planes, layers[i], i == 0 ? 1 : 2, g));
            inplanes = planes * block.expansion;
        }
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        fc = numClasses == 0 ? null : registerModule("fc", new Linear(inplanes, numClasses, g));
        initWeights(g, zeroInitResidual);
    }

    /** torchvision's _make_layer: the first block takes the stride and, where the shape changes, a 1x1 conv + BN shortcut. */
    private Sequential makeStage(int inplanes, int planes, int blocks, int stride, Generator g) {
        int out = planes * block.expansion;
        Sequential downsample = null;
        if (stride != 1 || inplanes != out)
            downsample = new Sequential(new Conv2d(inplanes, out, 1, stride, 0, false, g), new BatchNorm2d(out));
        Sequential stage = new Sequential(newBlock(inplanes, planes, stride, downsample, g));
        for (int b = 1; b < blocks; b++) stage.add(newBlock(out, planes, 1, null, g));
        return stage;
    }

    private Layer newBlock(int inplanes, int planes, int stride, Sequential downsample, Generator g) {
        return block == Block.BASIC ? new BasicBlock(inplanes, planes, stride, downsample, g) : new Bottleneck(inplanes, planes, stride, downsample, g);
    }

    /**
     * torchvision's init: kaiming_normal(fan_out, relu) for every conv; BN weight 1 and bias 0 (BatchNorm2d's
     * own defaults already); the fc keeps Linear's default.
     */
    private void initWeights(Generator g, boolean zeroInitResidual) {
        for (Module m : namedModules().values()) {
            if (m instanceof Conv2d c) c.weight().data().copy_(Init.kaimingNormalFanOut(g, c.weight().shape()));
            if (zeroInitResidual && m instanceof BasicBlock b) b.lastNorm().weight().data().zero_();
            if (zeroInitResidual && m instanceof Bottleneck b) b.lastNorm().weight().data().zero_();
        }
    }

    public static ResNet resnet18(Generator g) { return resnet18(64, 1000, g); }

    public static ResNet resnet18(int width, int numClasses, Generator g) { return new ResNet(Block.BASIC, new int[] {2, 2, 2, 2}, width, numClasses, false, g); }

    public static ResNet resnet34(Generator g) { return resnet34(64, 1000, g); }

    public static ResNet resnet34(int width, int numClasses, Generator g) { return new ResNet(Block.BASIC, new int[] {3, 4, 6, 3}, width, numClasses, false, g); }

    public static ResNet resnet50(Generator g) { return resnet50(64, 1000, g); }

    public static ResNet resnet50(int width, int numClasses, Generator g) {
        return new ResNet(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, width, numClasses, false, g);
    }

    /** ResNet-18, 34 or 50 by depth. */
    public static ResNet of(int depth, int width, int numClasses, Generator g) {
        return switch (depth) {
            case 18 -> resnet18(width, numClasses, g);
            case 34 -> resnet34(width, numClasses, g);
            case 50 -> resnet50(width, numClasses, g);
            default -> throw new IllegalArgumentException("ResNet: depth must be 18, 34 or 50, got " + depth);
        };
    }

    public Block block() { return block; }

    /** Channels of C2, C3, C4, C5 (what a neck's in_channels lists). */
    public int[] stageChannels() {
        int e = block.expansion;
        return new int[] {width * e, 2 * width * e, 4 * width * e, 8 * width * e};
    }

    /** The stage layer{i} (1..4), producing C{i+1}. */
    public Sequential stage(int i) {
        if (i < 1 || i > 4) throw new IllegalArgumentException("ResNet: stages are layer1..layer4, got " + i);
        return stages[i - 1];
    }

    /** The classification head, or null when built with no classes. */
    public Linear fc() { return fc; }

    /**
     * The outputs of the stages named by {@code levels} (2..5 for C2..C5; none = all four), in the order asked;
     * computation stops after the deepest stage asked for.
     */
    public List<Var> features(Var x, int... levels) {
        if (levels.length == 0) levels = new int[] {2, 3, 4, 5};
        int deepest = 0;
        for (int l : levels) {
            if (l < 2 || l > 5) throw new IllegalArgumentException("ResNet: feature levels are 2..5 (C2..C5), got " + Arrays.toString(levels));
            deepest = Math.max(deepest, l);
        }
        checkInput(x);
        Var[] c = new Var[6];
        Var h = maxpool.apply(relu.apply(bn1.apply(conv1.apply(x))));
        for (int l = 2; l <= deepest; l++) c[l] = h = stages[l - 2].apply(h);
        List<Var> out = new ArrayList<>(levels.length);
        for (int l : levels) out.add(c[l]);
        return out;
    }

    /** Logits [N, num_classes], or the pooled C5 features [N, C] when there is no fc. */
    @Override
    protected Var forward(Var x) {
        Var c5 = features(x, 5).getFirst();
        Var pooled = avgpool.apply(c5).flatten(1, -1);
        return fc == null ? pooled : fc.apply(pooled);
    }

    private void checkInput(Var x) {
        if (x.dim() != 4 || x.size(1) != 3)
            throw new IllegalArgumentException("ResNet: expected an image batch [N, 3, H, W], got " + Shape.str(x.shape()));
    }
}
