package fuse3d.data.viz;

import fuse3d.tensor.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The drawing pieces the pictures share: a white page, metric axes with readable ticks, a legend, PNG bytes. */
final class Canvas {
    private Canvas() {}

    static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Color INK = new Color(30, 30, 30);
    static final Color GRID = new Color(225, 225, 225);

    /** A plot area in pixels and the data ranges it shows; {@code px}/{@code py} map data to pixel centres. */
    record Axes(int left, int top, int width, int height, double xMin, double xMax, double yMin, double yMax) {
        double px(double x) { return left + (x - xMin) / (xMax - xMin) * width; }

        double py(double y) { return top + (yMax - y) / (yMax - yMin) * height; }
    }

    /** An RGB image filled with white, the background every picture starts from. */
    static BufferedImage page(int width, int height) {
        BufferedImage im = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = im.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return im;
    }

    /** A graphics context with antialiased text and, when asked, antialiased shapes. */
    static Graphics2D graphics(BufferedImage im, boolean smoothShapes) {
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING,
                smoothShapes ? RenderingHints.VALUE_ANTIALIAS_ON : RenderingHints.VALUE_ANTIALIAS_OFF);
        // pure strokes: a line at a data coordinate lands where Axes maps it, which the pixel probes rely on
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setFont(FONT);
        return g;
    }

    /** Tick values at a "nice" step (1, 2 or 5 times a power of ten) giving about {@code target} ticks. */
    static List<Double> ticks(double lo, double hi, int target) {
        double raw = (hi - lo) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            step = m * mag;
            if (step >= raw) break;
        }
        List<Double> out = new ArrayList<>();
        // index arithmetic instead of repeated addition, so 0.1 steps do not drift
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.add(k * step);
        return out;
    }

    static String tickLabel(double v, List<Double> ticks) {
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1;
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < 1e-12 ? 0.0 : v);
    }

    /** Grid lines (when {@code grid}), the frame, ticks with labels, and the two axis titles. */
    static void drawAxes(Graphics2D g, Axes a, String xTitle, String yTitle, boolean grid) {
        List<Double> xt = ticks(a.xMin(), a.xMax(), Math.max(4, a.width() / 80));
        List<Double> yt = ticks(a.yMin(), a.yMax(), Math.max(4, a.height() / 60));
        g.setStroke(new BasicStroke(1f));
        if (grid) {
            g.setColor(GRID);
            for (double x : xt) g.draw(new Line2D.Double(a.px(x), a.top(), a.px(x), a.top() + a.height()));
            for (double y : yt) g.draw(new Line2D.Double(a.left(), a.py(y), a.left() + a.width(), a.py(y)));
        }
        drawFrameAndTicks(g, a, xt, yt);
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(INK);
        g.drawString(xTitle, a.left() + (a.width() - fm.stringWidth(xTitle)) / 2, a.top() + a.height() + 40);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        // rotated by -90 degrees: drawing at (-y, x) puts the text at (x, y), reading bottom to top
        g.drawString(yTitle, -(a.top() + (a.height() + fm.stringWidth(yTitle)) / 2), a.left() - 46);
        g.setTransform(saved);
    }

    /** The frame and the tick marks with labels, without grid lines or titles. */
    static void drawFrameAndTicks(Graphics2D g, Axes a, List<Double> xt, List<Double> yt) {
        g.setColor(INK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(a.left(), a.top(), a.width(), a.height());
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        int bottom = a.top() + a.height();
        for (double x : xt) {
            double px = a.px(x);
            g.draw(new Line2D.Double(px, bottom, px, bottom + 5));
            String s = tickLabel(x, xt);
            g.drawString(s, (float) (px - fm.stringWidth(s) / 2.0), bottom + 7 + fm.getAscent());
        }
        for (double y : yt) {
            double py = a.py(y);
            g.draw(new Line2D.Double(a.left() - 5, py, a.left(), py));
            String s = tickLabel(y, yt);
            g.drawString(s, (float) (a.left() - 8 - fm.stringWidth(s)), (float) (py + fm.getAscent() / 2.0 - 1));
        }
    }

    /** A title centred over the plot area. */
    static void drawTitle(Graphics2D g, String title, int centreX, int baseline) {
        g.setFont(TITLE);
        g.setColor(INK);
        g.drawString(title, centreX - g.getFontMetrics().stringWidth(title) / 2, baseline);
        g.setFont(FONT);
    }

    /** One legend entry's look: a line sample, a filled swatch, or an outlined box. */
    enum Mark { LINE, SWATCH, BOX }

    /** A boxed legend with its top-left corner at (x, y); returns its height. */
    static int drawLegend(Graphics2D g, int x, int y, List<String> labels, List<Color> colours, Mark mark) {
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        int row = fm.getHeight() + 4, w = 0;
        for (String s : labels) w = Math.max(w, fm.stringWidth(s));
        int boxW = w + 46, boxH = labels.size() * row + 8;
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(x, y, boxW, boxH);
        g.setColor(new Color(160, 160, 160));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, boxW, boxH);
        for (int i = 0; i < labels.size(); i++) {
            int cy = y + 4 + i * row + row / 2;
            g.setColor(colours.get(i));
            switch (mark) {
                case LINE -> {
                    g.setStroke(new BasicStroke(3f));
                    g.draw(new Line2D.Double(x + 8, cy, x + 34, cy));
                }
                case SWATCH -> g.fillRect(x + 10, cy - 6, 22, 12);
                case BOX -> {
                    g.setStroke(new BasicStroke(2f));
                    g.drawRect(x + 10, cy - 6, 22, 12);
                }
            }
            g.setColor(INK);
            g.drawString(labels.get(i), x + 40, cy + fm.getAscent() / 2 - 1);
        }
        g.setStroke(new BasicStroke(1f));
        return boxH;
    }

    /** The image as PNG bytes (ImageIO's writer stores no time stamp: the same image gives the same bytes). */
    static byte[] png(BufferedImage im) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try {
            if (!ImageIO.write(im, "png", bytes)) throw new IllegalStateException("no PNG writer in javax.imageio");
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding into memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes the image as PNG through a temp file and an atomic move. */
    static void write(Path file, BufferedImage im) throws IOException {
        byte[] b = png(im);
        AtomicFiles.write(file, out -> out.write(b));
    }

    static String fmt(String pattern, Object... args) { return String.format(Locale.ROOT, pattern, args); }
}
