package fuse3d.data.kitti;

import fuse3d.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * PNG images through javax.imageio: the colour camera ({@code image_2}, 8-bit RGB) and KITTI depth-completion
 * maps ({@code velodyne_depth}: 16-bit grey, depth in metres times 256, 0 where there is no depth).
 */
public final class KittiImages {
    private KittiImages() {}

    /** The factor of KITTI's depth PNGs: stored value = round(depth in metres * 256). */
    public static final double DEPTH_SCALE = 256.0;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** An 8-bit RGB image, row-major, interleaved r, g, b. */
    public record RgbImage(int width, int height, byte[] rgb) {
        public RgbImage {
            if (width <= 0 || height <= 0 || rgb.length != 3 * width * height)
                throw new IllegalArgumentException("RgbImage: " + width + "x" + height + " needs " + 3L * width * height + " bytes, got " + rgb.length);
        }

        /** The channel value 0..255 at (row, col). */
        public int get(int row, int col, int channel) { return rgb[(row * width + col) * 3 + channel] & 0xff; }

        /** float32 [H, W, 3] with values 0..255. */
        public Tensor toTensor() {
            float[] f = new float[rgb.length];
            for (int i = 0; i < f.length; i++) f[i] = rgb[i] & 0xff;
            return Tensor.ofFloats(f, height, width, 3);
        }
    }

    /** A depth map in metres, row-major; 0 marks pixels without depth. */
    public record DepthMap(int width, int height, float[] depth) {
        public DepthMap {
            if (width <= 0 || height <= 0 || depth.length != width * height)
                throw new IllegalArgumentException("DepthMap: " + width + "x" + height + " needs " + (long) width * height + " values, got " + depth.length);
        }

        public float get(int row, int col) { return depth[row * width + col]; }

        /** float32 [H, W]. */
        public Tensor toTensor() { return Tensor.ofFloats(depth.clone(), height, width); }
    }

    /** Reads a colour PNG (grey or palette images are converted to RGB; alpha is dropped). */
    public static RgbImage readRgb(Path file) throws IOException {
        BufferedImage img = decode(file);
        int w = img.getWidth(), h = img.getHeight();
        byte[] rgb = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** The (height, width) of a PNG, as OpenPCDet's image_shape. */
    public static int[] shape(Path file) throws IOException {
        BufferedImage img = decode(file);
        return new int[] {img.getHeight(), img.getWidth()};
    }

    /** Writes an 8-bit RGB PNG, atomically. */
    public static void writeRgb(Path file, RgbImage image) throws IOException {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        int w = image.width();
        int[] row = new int[w];
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                row[x] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        encode(file, img);
    }

    /** Reads a KITTI depth PNG (16-bit grey) into metres; anything but a single 16-bit channel is an error. */
    public static DepthMap readDepth(Path file) throws IOException {
        BufferedImage img = decode(file);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1 || !(r.getDataBuffer() instanceof DataBufferUShort) || img.getColorModel().getPixelSize() != 16)
            throw new KittiFormatException(String.valueOf(file), null, "a KITTI depth PNG is 16-bit grey, this one has " + r.getNumBands()
                    + " band(s) of " + img.getColorModel().getPixelSize() / Math.max(1, r.getNumBands()) + " bits");
        int w = img.getWidth(), h = img.getHeight();
        int[] v = r.getSamples(0, 0, w, h, 0, (int[]) null);
        float[] d = new float[v.length];
        for (int i = 0; i < v.length; i++) d[i] = (float) (v[i] / DEPTH_SCALE);
        return new DepthMap(w, h, d);
    }

    /**
     * Writes a depth map as a KITTI depth PNG, atomically: round(depth * 256) as uint16; zero, negative or NaN
     * depth is stored as 0 (no depth); depth at or beyond 256 m cannot be stored and is an error.
     */
    public static void writeDepth(Path file, DepthMap map) throws IOException {
        int w = map.width(), h = map.height();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        int[] v = new int[w * h];
        float[] d = map.depth();
        for (int i = 0; i < v.length; i++) {
            float x = d[i];
            if (!(x > 0)) continue;
            long q = Math.round(x * DEPTH_SCALE);
            if (q > 65535)
                throw new IllegalArgumentException("KittiImages.writeDepth: depth " + x + " m at pixel (" + i / w + ", " + i % w
                        + ") exceeds the format's 65535 / 256 m");
            v[i] = (int) q;
        }
        r.setSamples(0, 0, w, h, 0, v);
        encode(file, img);
    }

    private static BufferedImage decode(Path file) throws IOException {
        byte[] bytes = KittiFiles.readBytes(file);
        for (int i = 0; i < PNG_SIGNATURE.length; i++)
            if (i >= bytes.length || bytes[i] != PNG_SIGNATURE[i])
                throw KittiFormatException.atByte(file, i, i >= bytes.length ? "file ends inside the PNG signature" : "not a PNG signature");
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            // ImageIO reports no offsets; its message at least says which chunk failed
            throw new KittiFormatException(String.valueOf(file), null, "corrupt PNG (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (img == null) throw new KittiFormatException(String.valueOf(file), null, "no PNG decoder accepted the file");
        return img;
    }

    private static void encode(Path file, BufferedImage img) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bos)) throw new IOException("KittiImages: no PNG writer for " + file);
        byte[] bytes = bos.toByteArray();
        KittiFiles.writeAtomically(file, out -> out.write(bytes));
    }
}
