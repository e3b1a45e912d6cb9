package fuse3d.examples.demo;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;

/**
 * A synthetic 10-class image task the project generates itself: noisy sinusoidal gratings, one class per
 * (orientation, spatial frequency) pair, five orientations 36 degrees apart times two frequencies, each
 * image with a random phase and Gaussian pixel noise. Telling the classes apart needs oriented,
 * frequency-selective filters, which is what a small CNN has to learn.
 */
public final class Gratings {
    public static final int CLASSES = 10;
    private static final double[] FREQUENCIES = {1.0 / 8, 1.0 / 4}; // cycles per pixel

    /** Images [n, 1, size, size] and int64 labels [n]. */
    public record Batch(Tensor images, Tensor labels) {}

    private Gratings() {}

    /** n labelled images of size x size with pixel noise of standard deviation {@code noise}. */
    public static Batch sample(int n, int size, double noise, Generator g) {
        float[] px = new float[n * size * size];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int label = (int) g.nextLong(CLASSES);
            labels[i] = label;
            double theta = Math.PI * (label % 5) / 5;
            double f = FREQUENCIES[label / 5];
            double phase = 2 * Math.PI * g.nextDouble();
            double cx = Math.cos(theta), sy = Math.sin(theta);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    px[(i * size + y) * size + x] = (float) (Math.sin(2 * Math.PI * f * (x * cx + y * sy) + phase) + noise * g.nextGaussian());
        }
        return new Batch(Tensor.ofFloats(px, n, 1, size, size), Tensor.ofLongs(labels, n));
    }
}
