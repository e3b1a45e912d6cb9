package fuse3d.data.nuscenes;

import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** nuScenes camera images (JPEG, 1600x900 in the released data) through javax.imageio. */
public final class CameraImages {
    private CameraImages() {}

    /** Reads an image file; an unreadable or non-image file names the file. */
    public static BufferedImage read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            BufferedImage img = ImageIO.read(in);
            if (img == null) throw new NuScenesFormatException(file, null, "not an image javax.imageio can decode (expected JPEG)");
            return img;
        } catch (NoSuchFileException e) {
            throw new NuScenesFormatException(file, null, "image file not found");
        } catch (javax.imageio.IIOException e) {
            throw new NuScenesFormatException(file, null, "corrupt image: " + e.getMessage(), e);
        }
    }

    /** An image as float32 [H, W, 3] RGB in 0..255 (the layout mmdetection3d's loaders start from, before normalisation). */
    public static Tensor toTensor(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] v = new float[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            v[i * 3] = (argb[i] >> 16) & 0xff;
            v[i * 3 + 1] = (argb[i] >> 8) & 0xff;
            v[i * 3 + 2] = argb[i] & 0xff;
        }
        return Tensor.of(v, h, w, 3);
    }

    /** Reads an image straight into float32 [H, W, 3]. */
    public static Tensor readTensor(Path file) throws IOException { return toTensor(read(file)); }

    /** Float [H, W, 3] RGB in 0..255 (values clamped and rounded) to an image. */
    public static BufferedImage fromTensor(Tensor rgb) {
        int[] s = rgb.shape();
        if (s.length != 3 || s[2] != 3)
            throw new IllegalArgumentException("CameraImages.fromTensor: expected [H, W, 3] RGB, got " + Arrays.toString(s));
        float[] v = rgb.contiguous().toFloatArray();
        BufferedImage img = new BufferedImage(s[1], s[0], BufferedImage.TYPE_INT_RGB);
        int[] argb = new int[s[0] * s[1]];
        for (int i = 0; i < argb.length; i++)
            argb[i] = (clamp(v[i * 3]) << 16) | (clamp(v[i * 3 + 1]) << 8) | clamp(v[i * 3 + 2]);
        img.setRGB(0, 0, s[1], s[0], argb, 0, s[1]);
        return img;
    }

    private static int clamp(float x) { return (int) Math.max(0, Math.min(255, Math.rint(x))); }

    /** Writes a JPEG (or PNG when the name ends in .png) through a temporary file. */
    public static void write(Path file, BufferedImage img) throws IOException {
        String format = file.getFileName().toString().toLowerCase().endsWith(".png") ? "png" : "jpg";
        BufferedImage rgb = img;
        if (format.equals("jpg") && img.getType() != BufferedImage.TYPE_INT_RGB && img.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(img, 0, 0, null);
        }
        BufferedImage out = rgb;
        AtomicFiles.write(file, o -> {
            if (!ImageIO.write(out, format, o)) throw new IOException(file + ": no javax.imageio writer for " + format);
        });
    }
}
