package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON tables: round trip, reverse indexes, box velocity, and errors that name the file and line. */
class NuScenesTablesTest {
    @TempDir
    Path dir;

    @Test
    void writtenTablesReadBackEqual() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        NuScenesTables r = NuScenesTables.load(dir, "v1.0-synthetic");
        assertEquals(t.toString(), r.toString());
        assertEquals(t.samples(), r.samples());
        assertEquals(t.sampleData(), r.sampleData());
        assertEquals(t.scenes(), r.scenes());
        assertEquals(t.sensors(), r.sensors());
        for (String k : t.sampleAnnotations().keySet()) {
            var a = t.sampleAnnotations().get(k);
            var b = r.sampleAnnotations().get(k);
            assertArrayEquals(a.translation(), b.translation());
            assertArrayEquals(a.size(), b.size());
            assertArrayEquals(a.rotation(), b.rotation());
            assertEquals(a.attributeTokens(), b.attributeTokens());
            assertEquals(a.numLidarPts(), b.numLidarPts());
        }
        for (String k : t.egoPoses().keySet()) {
            assertArrayEquals(t.egoPoses().get(k).rotation(), r.egoPoses().get(k).rotation());
            assertArrayEquals(t.egoPoses().get(k).translation(), r.egoPoses().get(k).translation());
        }
        assertArrayEquals(t.calibratedSensors().get("cs-cam").cameraIntrinsic()[1], r.calibratedSensors().get("cs-cam").cameraIntrinsic()[1]);
        assertEquals(0, r.calibratedSensors().get("cs-lidar").cameraIntrinsic().length);
    }

    @Test
    void reverseIndexesAsTheDevkitBuildsThem() throws Exception {
        SyntheticTables.write(dir);
        NuScenesTables t = NuScenesTables.load(dir.resolve("v1.0-synthetic"));
        assertEquals(Map.of("LIDAR_TOP", "LIDAR_TOP-3", "RADAR_FRONT", "RADAR_FRONT-3"), t.sampleDataByChannel("sample1"));
        assertEquals(List.of("ann-car-1", "ann-ped", "ann-bar", "ann-bic", "ann-rack", "ann-ani", "ann-empty"), t.annotationsOf("sample1"));
        assertEquals("vehicle.car", t.categoryName(t.sampleAnnotation("ann-car-0")));
        assertEquals("RADAR_FRONT", t.channel(t.sampleData("RADAR_FRONT-4")));
        assertEquals("radar", t.modality(t.sampleData("RADAR_FRONT-4")));
        assertEquals(List.of("sample0", "sample1", "sample2"), t.samplesOfScene("scene0").stream().map(NuScenesTables.Sample::token).toList());
        // the sensor pose goes through the ego pose of the reading's own timestamp
        var sp = t.sensorPose(t.sampleData("LIDAR_TOP-1"));
        double[] o = sp.sensorToGlobal().apply(0, 0, 0);
        double[] want = SyntheticTables.LIDAR_TO_EGO.then(SyntheticTables.ego(166_666e-6)).apply(0, 0, 0);
        assertArrayEquals(want, o, 1e-6);
    }

    @Test
    void boxVelocityCentredOneSidedAndMissing() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        // the car moves 2.5 m per 0.5 s along x: 5 m/s, centred in the middle and one-sided at the ends
        for (String a : List.of("ann-car-0", "ann-car-1", "ann-car-2")) assertArrayEquals(new double[] {5, 0, 0}, t.boxVelocity(a), 1e-9);
        double[] single = t.boxVelocity("ann-ped");
        assertTrue(Double.isNaN(single[0]) && Double.isNaN(single[1]) && Double.isNaN(single[2]));
        // a gap above max_time_diff (doubled for the centred difference: 1 s > 2 * 0.4 s) gives NaN
        assertTrue(Double.isNaN(t.boxVelocity("ann-car-1", 0.4)[0]));
        assertEquals(5, t.boxVelocity("ann-car-1", 0.5)[0], 1e-9);
        assertTrue(Double.isNaN(t.boxVelocity("ann-car-0", 0.49)[0]));
    }

    @Test
    void missingFieldNamesFileAndLine() throws Exception {
        SyntheticTables.write(dir);
        Path f = dir.resolve("v1.0-synthetic/sample.json");
        String s = Files.readString(f).replaceFirst("\"scene_token\" : \"scene0\"", "\"scene\" : \"scene0\"");
        Files.writeString(f, s);
        var e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertTrue(e.getMessage().startsWith(f + ": line 1, column 3"), e.getMessage()); // the first record opens on line 1
        assertTrue(e.getMessage().contains("missing field 'scene_token'"), e.getMessage());
    }

    @Test
    void danglingReferenceNamesTheRecordLine() throws Exception {
        SyntheticTables.write(dir);
        Path f = dir.resolve("v1.0-synthetic/sample_annotation.json");
        List<String> lines = Files.readAllLines(f);
        int at = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("\"instance_token\" : \"inst-ped\"")) at = i;
        lines.set(at, lines.get(at).replace("inst-ped", "inst-nobody"));
        Files.write(f, lines);
        var e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertTrue(e.getMessage().contains("sample_annotation.json: line "), e.getMessage());
        assertTrue(e.getMessage().contains("instance_token 'inst-nobody' does not exist"), e.getMessage());
        int open = at;
        while (!lines.get(open).contains("{")) open--;
        assertEquals("line " + (open + 1), e.where().replaceFirst(", column .*", "")); // the line where the record opens
    }

    @Test
    void truncatedAndWrongTypesAndMissingFiles() throws Exception {
        SyntheticTables.write(dir);
        Path f = dir.resolve("v1.0-synthetic/ego_pose.json");
        String s = Files.readString(f);
        Files.writeString(f, s.substring(0, s.length() / 2));
        var e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.where() != null && e.where().startsWith("line "), e.getMessage());

        Files.writeString(f, s.replaceFirst("\"timestamp\" : (\\d+)", "\"timestamp\" : \"$1\""));
        e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertTrue(e.getMessage().contains("field 'timestamp' must be an integer"), e.getMessage());

        Files.writeString(f, s.replaceFirst("\"rotation\" : \\[ ", "\"rotation\" : [ 1.0, "));
        e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertTrue(e.getMessage().contains("field 'rotation' must be an array of 4 numbers"), e.getMessage());

        Files.delete(f);
        e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir, "v1.0-synthetic"));
        assertEquals(f + ": table file not found", e.getMessage());
    }
}
