package fuse3d.cuda.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helper: reads the extern "C" __global__ signatures and the #define op codes out of CUDA C source text. */
final class Signatures {
    private Signatures() {}

    private static final Pattern ENTRY = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(-?\\d+)\\s*$");

    /** Kernel name -> parameter kinds, in source order. */
    static Map<String, List<ArgKind>> entries(String source) {
        Map<String, List<ArgKind>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(stripComments(source));
        while (m.find()) {
            List<ArgKind> kinds = new ArrayList<>();
            String params = m.group(2).trim();
            if (!params.isEmpty() && !params.equals("void"))
                for (String p : params.split(",")) kinds.add(kindOf(p.trim(), m.group(1)));
            out.put(m.group(1), kinds);
        }
        return out;
    }

    /** The kind of one C parameter declaration such as "const float* __restrict__ x" or "long long n". */
    static ArgKind kindOf(String decl, String where) {
        String d = decl.replaceAll("\\s+", " ");
        if (d.contains("*")) return ArgKind.POINTER;
        if (d.matches(".*\\b(long long|unsigned long long|size_t)\\b.*")) return ArgKind.INT64;
        if (d.matches(".*\\bdouble\\b.*")) return ArgKind.FLOAT64;
        if (d.matches(".*\\bfloat\\b.*")) return ArgKind.FLOAT32;
        if (d.matches(".*\\b(int|unsigned|unsigned int)\\b.*")) return ArgKind.INT32;
        throw new IllegalArgumentException(where + ": cannot classify parameter '" + decl + "'");
    }

    /** Integer #defines by name. */
    static Map<String, Integer> defines(String source) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = DEFINE.matcher(source);
        while (m.find()) out.put(m.group(1), Integer.parseInt(m.group(2)));
        return out;
    }

    static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }
}
