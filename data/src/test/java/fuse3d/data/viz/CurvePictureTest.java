package fuse3d.data.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loss and learning curves: points land where the axes put them, smoothing and log scale behave, bad series are refused. */
class CurvePictureTest {
    @TempDir
    Path dir;

    @Test
    void aLineLandsOnItsPixels() throws IOException {
        double[] x = {0, 10, 20, 30, 40}, y = {4, 3, 2, 1, 0.5};
        List<CurvePicture.Series> s = List.of(new CurvePicture.Series("total", x, y));
        Path f = PicturesTest.out(dir, "curve_linear.png");
        CurvePicture.write(f, "loss", "iteration", "loss", s, 1, false);
        BufferedImage im = PicturesTest.readPng(f);
        assertEquals(CurvePicture.WIDTH, im.getWidth());
        Canvas.Axes a = CurvePicture.axes("loss", s, false);
        for (int i = 0; i < x.length; i++)
            assertTrue(PicturesTest.colourNear(im, (int) Math.floor(a.px(x[i])), (int) Math.floor(a.py(y[i])), CurvePicture.PALETTE[0], 2),
                    "point " + i + " is drawn");
        // the x range is exactly the data's; y is padded so the extremes stay inside the frame
        assertEquals(0, a.xMin());
        assertEquals(40, a.xMax());
        assertTrue(a.yMin() < 0.5 && a.yMax() > 4);
    }

    @Test
    void logScaleSkipsNonPositiveValues() {
        List<CurvePicture.Series> s = List.of(new CurvePicture.Series("lr", new double[] {0, 1, 2}, new double[] {1e-3, 0, 1e-1}));
        Canvas.Axes a = CurvePicture.axes("lr", s, true);
        assertTrue(a.yMin() < -3 + 1e-9 && a.yMin() > -3.2, "log10 of 1e-3 bounds the axis: " + a.yMin());
        assertTrue(a.yMax() > -1 && a.yMax() < -0.8);
        CurvePicture.lines("lr", "iteration", "lr", s, 1, true);
    }

    @Test
    void theLegendTakesTheFreeCorner() {
        List<CurvePicture.Series> rising = List.of(new CurvePicture.Series("AP", new double[] {6, 12, 18, 24}, new double[] {0.6, 62, 85, 93}));
        List<CurvePicture.Series> falling = List.of(new CurvePicture.Series("loss", new double[] {1, 2, 3, 4}, new double[] {3, 1, 0.5, 0.4}));
        assertTrue(CurvePicture.rightEndIsHigh(CurvePicture.axes("ap", rising, false), rising, false));
        assertTrue(!CurvePicture.rightEndIsHigh(CurvePicture.axes("loss", falling, true), falling, true));
    }

    @Test
    void movingAverageIsTrailingAndSkipsNaN() {
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, CurvePicture.movingAverage(new double[] {1, 2, 3, 4}, 2), 1e-12);
        assertArrayEquals(new double[] {1, 1, 3}, CurvePicture.movingAverage(new double[] {1, Double.NaN, 3}, 2), 1e-12);
    }

    @Test
    void badInputIsRefusedWithTheName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CurvePicture.Series("rpn_loss_cls", new double[2], new double[3]));
        assertTrue(e.getMessage().contains("rpn_loss_cls"));
        assertThrows(IllegalArgumentException.class, () -> CurvePicture.lines("t", "x", "y", List.of(), 1, false));
        assertThrows(IllegalArgumentException.class,
                () -> CurvePicture.lines("t", "x", "y", List.of(new CurvePicture.Series("a", new double[] {1}, new double[] {Double.NaN})), 1, false));
    }
}
