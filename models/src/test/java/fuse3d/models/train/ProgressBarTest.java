package fuse3d.models.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    static Map<String, Double> losses() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rpn_loss_cls", 0.5);
        m.put("rpn_loss_loc", 1.25);
        return m;
    }

    @Test
    void terminalRewritesOneLine() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), true);
        for (int i = 1; i <= 3; i++) bar.update(1, 2, i, 3, losses(), 1.75, 0.001, 2.0, 3661);
        String s = b.toString(StandardCharsets.UTF_8);
        assertEquals(3, s.chars().filter(c -> c == '\r').count());
        assertEquals(1, s.chars().filter(c -> c == '\n').count(), "a newline only at the end of the epoch");
        assertTrue(s.contains("epoch 1/2 iter 3/3 rpn_loss_cls 0.5000 rpn_loss_loc 1.2500 loss 1.7500 lr 0.00100 2.00 it/s ETA 01:01:01"), s);
    }

    @Test
    void logGetsATenthOfTheLines() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        for (int i = 1; i <= 100; i++) bar.update(1, 1, i, 100, losses(), 1.75, 0.01, 5, 10);
        String s = b.toString(StandardCharsets.UTF_8);
        assertEquals(10, s.lines().count());
        assertFalse(s.contains("\r"));
        assertEquals("--:--:--", ProgressBar.hms(Double.NaN));
    }
}
