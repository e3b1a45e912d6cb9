package fuse3d.cuda.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogue of every CUDA kernel entry point the Java side may launch: source resource, name and parameter kinds.
 *
 * <p>It is written by hand, as the contract the launch sites are held to ({@link KernelSpec#check}); a test parses
 * the extern "C" signatures of the .cu resources and fails when the two disagree, so a wrong argument list is caught
 * on a machine without a GPU. Descriptor codes: p pointer, i int32, l int64, f float32, d float64.
 */
public final class KernelCatalog {
    /** Where the sources live on the class path. */
    public static final String RESOURCE_DIR = "/fuse3d/cuda/kernels/";

    /** Every kernel source, in the order they are compiled. */
    public static final List<String> SOURCES = List.of("elementwise.cu", "reduce.cu", "softmax.cu", "gemm.cu", "conv.cu", "index.cu",
            "voxelize.cu", "rulebook.cu", "spconv.cu", "boxes.cu", "bevpool.cu");

    /**
     * Sources compiled with --fmad=false: their results are compared bit for bit (voxel cells, box membership) or in
     * float64 against the CPU reference, where a fused multiply-add would round differently.
     */
    public static final Set<String> NO_FMAD = Set.of("voxelize.cu", "boxes.cu");

    private static final Map<String, KernelSpec> BY_NAME = new LinkedHashMap<>();

    private static void k(String source, String name, String descriptor) {
        if (BY_NAME.put(name, KernelSpec.of(source, name, descriptor)) != null) throw new IllegalStateException("KernelCatalog: duplicate kernel " + name);
    }

    static {
        k("elementwise.cu", "ew_unary_f32", "p p p i l i f f");
        k("elementwise.cu", "ew_unary_contig_f32", "p p l i f f");
        k("elementwise.cu", "ew_binary_f32", "p p p p i l i");
        k("elementwise.cu", "ew_compare_f32", "p p p p i l i");
        k("elementwise.cu", "ew_where_f32", "p p p p p i l");
        k("elementwise.cu", "ew_copy_strided_f32", "p p p i l");
        k("elementwise.cu", "ew_scatter_strided_f32", "p p p i l");
        k("elementwise.cu", "ew_fill_strided_f32", "p p i l f");
        k("elementwise.cu", "ew_fill_f32", "p l f");
        k("elementwise.cu", "ew_fill_i32", "p l i");
        k("elementwise.cu", "ew_fill_i64", "p l l");
        k("elementwise.cu", "ew_axpy_f32", "p p l f");

        k("reduce.cu", "reduce_rows_f32", "p p l l i f");
        k("reduce.cu", "reduce_rows_argext_f32", "p p p l l i");
        k("reduce.cu", "cumsum_rows_f32", "p p l l");
        k("reduce.cu", "scan_block_i32", "p p p i");
        k("reduce.cu", "scan_add_i32", "p p i");

        k("softmax.cu", "softmax_rows_f32", "p p l l i");
        k("softmax.cu", "softmax_backward_rows_f32", "p p p l l i");

        // A, B, C, M, N, K, rsA, csA, rsB, csB, ldc, bsA, bsB, bsC, alpha, beta
        k("gemm.cu", "sgemm_tiled", "p p p i i i l l l l l l l l f f");
        k("gemm.cu", "sgemm_tiled_vec4", "p p p i i i l l l l l l l l f f");
        k("gemm.cu", "sgemm_tf32", "p p p i i i l l l l l l l l f f");

        k("conv.cu", "conv_implicit_gemm_f32", "p p p p p");
        k("conv.cu", "conv_backward_data_f32", "p p p p");
        k("conv.cu", "conv_backward_weight_f32", "p p p p");

        k("index.cu", "gather_f32", "p p p p i i l");
        k("index.cu", "scatter_reduce_f32", "p p p p i i l i");
        k("index.cu", "scatter_count_f32", "p p p i i l");
        k("index.cu", "index_put_f32", "p p p p i l l i");
        k("index.cu", "gather_rows_f32", "p p p i i");
        k("index.cu", "scatter_add_rows_f32", "p p p i i");

        k("voxelize.cu", "vox_point_keys", "p i i f f f f f f i i i p");
        k("voxelize.cu", "vox_hash_insert", "p i p p i");
        k("voxelize.cu", "vox_mark_first", "p i p p i p");
        k("voxelize.cu", "vox_assign", "p i p p i p i i i p p");
        k("voxelize.cu", "vox_count", "p i p");
        k("voxelize.cu", "vox_fill_lists", "p i p p p");
        k("voxelize.cu", "vox_select_gather", "p p p i i p i p p");

        k("rulebook.cu", "rb_build_table", "p i p p p i");
        k("rulebook.cu", "rb_subm_map", "p i p p p i p");
        k("rulebook.cu", "rb_regular_map", "p i p p");
        k("rulebook.cu", "rb_insert_keys", "p l p i");
        k("rulebook.cu", "rb_flag_keys", "p l p");
        k("rulebook.cu", "rb_flag_rows", "p l p");
        k("rulebook.cu", "rb_compact_keys", "p l p p i i");
        k("rulebook.cu", "sort_bitonic_i64", "p i i i");
        k("rulebook.cu", "rb_rank_keys", "p i p p i");
        k("rulebook.cu", "rb_lookup_keys", "p l p p i p");
        k("rulebook.cu", "rb_compact_pairs", "p i i i p p p");
        k("rulebook.cu", "rb_decode_keys", "p i p p");

        k("spconv.cu", "spconv_gather_f32", "p p i i p");
        k("spconv.cu", "spconv_scatter_add_f32", "p p i i p");
        k("spconv.cu", "spconv_fused_fwd_f32", "p p p p i i i i i p");
        k("spconv.cu", "spconv_fused_bwd_input_f32", "p p p p i i i i i p");
        k("spconv.cu", "spconv_bwd_weight_f32", "p p p p i i i i i p");
        k("spconv.cu", "spconv_init_bias_f32", "p p i i");

        k("boxes.cu", "box_iou_matrix_f32", "p i i p i i i p");
        k("boxes.cu", "nms_mask_f32", "p i i d i p");
        k("boxes.cu", "points_in_boxes_f32", "p p i i i i i f p");

        k("bevpool.cu", "bev_pool_v2_f32", "p p p p p p p i i i p");
        k("bevpool.cu", "bev_pool_v2_backward_f32", "p p p p p p i i i p p");
    }

    private KernelCatalog() {}

    /** The entry point of that name; a clear error naming the known ones' sources when there is none. */
    public static KernelSpec get(String name) {
        KernelSpec s = BY_NAME.get(name);
        if (s == null) throw new IllegalArgumentException("KernelCatalog: no kernel '" + name + "' (sources " + SOURCES + ")");
        return s;
    }

    public static Collection<KernelSpec> all() { return BY_NAME.values(); }

    /** The kernels of one source, in catalogue order. */
    public static List<KernelSpec> ofSource(String source) {
        List<KernelSpec> l = new ArrayList<>();
        for (KernelSpec s : BY_NAME.values()) if (s.source().equals(source)) l.add(s);
        return l;
    }

    /** The text of a kernel source resource. */
    public static String source(String name) {
        try (InputStream in = KernelCatalog.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) throw new IllegalArgumentException("KernelCatalog: kernel source " + RESOURCE_DIR + name + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("KernelCatalog: reading " + RESOURCE_DIR + name, e);
        }
    }
}
