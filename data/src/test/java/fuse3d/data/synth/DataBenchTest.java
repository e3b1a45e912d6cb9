package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The data bench runs in quick mode and prints its three lines. */
class DataBenchTest {
    @Test
    void quickRunPrintsTheThreeLines() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataBench.Result r = DataBench.run(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.matches("(?s)bench data_kitti_read frames=\\d+ fps=[0-9.]+ threads=\\d+\n"
                + "bench data_nuscenes_sweeps samples=\\d+ sweeps=10 fps=[0-9.]+\nbench data_synth_kitti_frame ms=[0-9.]+\n"), s);
        assertTrue(r.kittiFps() > 0 && r.nuScenesFps() > 0 && r.synthKittiMs() > 0, r.toString());
        System.out.print(s);
    }
}
