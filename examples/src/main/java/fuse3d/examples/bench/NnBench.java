package fuse3d.examples.bench;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.attention.TransformerEncoderLayer;
import fuse3d.nn.backbone.ResNet;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Forward and forward+backward time of the nn library on two workloads, printed as {@code bench} lines in
 * the format of tests/bench/pytorch_nn_bench.py (its PyTorch twin): ResNet-18's feature extractor (stem and
 * layer1..layer4, torchvision layout, width 64) on a 1x3x256x704 image, and one TransformerEncoderLayer
 * (d_model 256, 8 heads, feed-forward 1024, dropout 0, batch first) on a sequence of 1000 tokens. Forward
 * runs in eval mode without recording the graph; forward+backward in train mode with the output's mean as
 * the loss. Given the PyTorch script's output ({@code --peer}), it also prints the ratio of each figure.
 */
public final class NnBench {
    private NnBench() {}

    /** Convolution FLOPs of one ResNet-18 feature pass at 256x704 (2 per multiply-add), as the PyTorch script counts. */
    private static final double RESNET18_GFLOP = 13.0;

    public static void run(PrintStream out, boolean quick, Path peer) {
        int threads = Parallel.threads();
        out.printf("bench env jdk=%s threads=%d%n", System.getProperty("java.version"), threads);
        Map<String, Double> ours = new LinkedHashMap<>();
        Generator g = new Generator(0);

        ResNet resnet = ResNet.resnet18(64, 0, g);
        Var image = Var.of(g.normal(0, 1, 1, 3, 256, 704));
        resnet.eval();
        double fwd = TensorBench.time(() -> {
            try (GradMode.Scope _ = GradMode.noGrad()) {
                resnet.features(image, 5);
            }
        }, quick) / 1e6;
        out.printf("bench resnet18_fwd shape=1x3x256x704 head=features mode=eval ms=%.1f gflops=%.1f threads=%d%n", fwd, RESNET18_GFLOP / fwd * 1e3, threads);
        out.flush();
        ours.put("resnet18_fwd", fwd);
        resnet.train();
        double fwdBwd = TensorBench.time(() -> {
            resnet.zeroGrad();
            resnet.features(image, 5).getFirst().mean().backward();
        }, quick) / 1e6;
        out.printf("bench resnet18_fwd_bwd shape=1x3x256x704 head=features mode=train ms=%.1f threads=%d%n", fwdBwd, threads);
        out.flush();
        ours.put("resnet18_fwd_bwd", fwdBwd);

        TransformerEncoderLayer layer = new TransformerEncoderLayer(256, 8, 1024, 0.0, "relu", 1e-5, true, false, g);
        Var tokens = Var.of(g.normal(0, 1, 1, 1000, 256));
        layer.eval();
        double tf = TensorBench.time(() -> {
            try (GradMode.Scope _ = GradMode.noGrad()) {
                layer.forward(tokens, (Tensor) null, (Tensor) null);
            }
        }, quick) / 1e6;
        out.printf("bench transformer_fwd batch=1 L=1000 d_model=256 nhead=8 ffn=1024 mode=eval ms=%.2f threads=%d%n", tf, threads);
        out.flush();
        ours.put("transformer_fwd", tf);
        layer.train();
        double tfb = TensorBench.time(() -> {
            layer.zeroGrad();
            layer.forward(tokens, (Tensor) null, (Tensor) null).mean().backward();
        }, quick) / 1e6;
        out.printf("bench transformer_fwd_bwd batch=1 L=1000 d_model=256 nhead=8 ffn=1024 mode=train ms=%.2f threads=%d%n", tfb, threads);
        out.flush();
        ours.put("transformer_fwd_bwd", tfb);

        if (peer != null) printRatios(out, ours, threads, peer);
    }

    private static final Pattern LINE = Pattern.compile("^bench (\\S+) .*ms=([0-9.]+).*threads=(\\d+)");

    /** Ratios to the PyTorch script's figures for the same thread count (ratio > 1: Fuse3D is slower). */
    private static void printRatios(PrintStream out, Map<String, Double> ours, int threads, Path peer) {
        Map<String, Double> theirs = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(peer)) {
                Matcher m = LINE.matcher(line.trim());
                if (m.find() && Integer.parseInt(m.group(3)) == threads) theirs.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("bench nn: cannot read the PyTorch figures in " + peer + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, Double> e : ours.entrySet()) {
            Double t = theirs.get(e.getKey());
            if (t == null) {
                out.printf("bench ratio name=%s threads=%d pytorch=missing_in_%s%n", e.getKey(), threads, peer.getFileName());
                continue;
            }
            out.printf("bench ratio name=%s threads=%d fuse3d_ms=%.2f pytorch_ms=%.2f ratio=%.2f%n", e.getKey(), threads, e.getValue(), t, e.getValue() / t);
        }
    }
}
