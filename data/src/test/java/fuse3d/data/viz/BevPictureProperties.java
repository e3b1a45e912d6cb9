package fuse3d.data.viz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

/** Wherever a GT box lies in the view and however it turns, its four edges are drawn where the view maps them. */
class BevPictureProperties {
    private static final BevPicture PIC = new BevPicture(new BevPicture.View(-20, 20, -15, 15, 8, BevPicture.PointColour.HEIGHT, Double.NaN,
            Double.NaN, "x (m)", "y (m)"));

    @Property(tries = 60)
    void everyEdgeOfAGtBoxIsDrawnInTheGtColour(@ForAll @DoubleRange(min = -12, max = 12) double x, @ForAll @DoubleRange(min = -8, max = 8) double y,
                                                @ForAll @DoubleRange(min = 1, max = 6) double length, @ForAll @DoubleRange(min = 1, max = 3) double width,
                                                @ForAll @DoubleRange(min = -3.2, max = 3.2) double yaw) {
        BevBox b = BevBox.gt(x, y, length, width, yaw, "Car");
        BufferedImage im = PIC.render("property", new float[0], 4, List.of(b), List.of());
        double[][] c = b.corners();
        for (int i = 0; i < 4; i++) {
            double[] p = c[i], q = c[(i + 1) % 4];
            // a quarter of the way along the edge: away from the heading tick, which ends at the front edge's middle
            int[] px = PIC.pixelOf(p[0] + 0.25 * (q[0] - p[0]), p[1] + 0.25 * (q[1] - p[1]));
            assertTrue(PicturesTest.colourNear(im, px[0], px[1], BevPicture.GT_COLOUR, 1), "edge " + i + " of " + b + " at " + px[0] + "," + px[1]);
        }
    }
}
