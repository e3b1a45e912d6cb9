// 3D box kernels with the semantics of fuse3d.sparse.box.RotatedIoU / Nms and fuse3d.sparse.points.PointsInBoxes
// (OpenPCDet's iou3d_nms and roiaware_pool3d). Boxes are float32 rows (x, y, z, dx, dy, dz, heading, ...) with
// `cols` columns. IoU is computed in float64 exactly as the CPU reference: the BEV overlap clips one rectangle by
// the four edges of the other (Sutherland-Hodgman), with the first box moved to the origin; a NaN or a non-positive
// BEV size overlaps nothing. This file is compiled with --fmad=false so the arithmetic rounds as the Java does.

#define NMS_THREADS 64

__device__ void bev_corners(double x, double y, double dx, double dy, double h, double sx, double sy, double* out) {
    double c = cos(h), s = sin(h), hx = dx / 2, hy = dy / 2;
    double px[4] = {-hx, hx, hx, -hx}, py[4] = {-hy, -hy, hy, hy};  // counter-clockwise in the box frame
    for (int k = 0; k < 4; ++k) {
        out[2 * k] = px[k] * c - py[k] * s + (x - sx);
        out[2 * k + 1] = px[k] * s + py[k] * c + (y - sy);
    }
}

__device__ double clipped_area(const double* subject, const double* clip) {
    double bufA[24], bufB[24];
    double* cur = bufA;
    double* next = bufB;
    for (int i = 0; i < 8; ++i) cur[i] = subject[i];
    int n = 4;
    for (int e = 0; e < 4 && n > 0; ++e) {
        double ex0 = clip[2 * e], ey0 = clip[2 * e + 1];
        double ex1 = clip[(2 * e + 2) % 8], ey1 = clip[(2 * e + 3) % 8];
        double ux = ex1 - ex0, uy = ey1 - ey0;
        int m = 0;
        for (int i = 0; i < n; ++i) {
            int j = (i + 1) % n;
            double px = cur[2 * i], py = cur[2 * i + 1], qx = cur[2 * j], qy = cur[2 * j + 1];
            double dp = ux * (py - ey0) - uy * (px - ex0);
            double dq = ux * (qy - ey0) - uy * (qx - ex0);
            if (dp >= 0) { next[2 * m] = px; next[2 * m + 1] = py; ++m; }
            if ((dp >= 0) != (dq >= 0)) {
                double t = dp / (dp - dq);
                next[2 * m] = px + t * (qx - px);
                next[2 * m + 1] = py + t * (qy - py);
                ++m;
            }
        }
        double* sw = cur; cur = next; next = sw;
        n = m;
    }
    if (n < 3) return 0;
    double twice = 0;
    for (int i = 0; i < n; ++i) {
        int j = (i + 1) % n;
        twice += cur[2 * i] * cur[2 * j + 1] - cur[2 * j] * cur[2 * i + 1];
    }
    return fabs(twice) / 2;
}

__device__ double bev_overlap(const float* a, const float* b) {
    double xa = a[0], ya = a[1], dxa = a[3], dya = a[4], ha = a[6];
    double xb = b[0], yb = b[1], dxb = b[3], dyb = b[4], hb = b[6];
    if (!(dxa > 0 && dya > 0 && dxb > 0 && dyb > 0)) return 0;
    if (!isfinite(xa + ya + ha + xb + yb + hb + dxa + dya + dxb + dyb)) return 0;
    double ddx = xb - xa, ddy = yb - ya;
    double ra = sqrt(dxa * dxa + dya * dya) / 2, rb = sqrt(dxb * dxb + dyb * dyb) / 2;
    if (ddx * ddx + ddy * ddy > (ra + rb) * (ra + rb)) return 0;
    double ca[8], cb[8];
    bev_corners(xa, ya, dxa, dya, ha, xa, ya, ca);
    bev_corners(xb, yb, dxb, dyb, hb, xa, ya, cb);
    double area = clipped_area(ca, cb);
    return fmax(0.0, fmin(area, fmin(dxa * dya, dxb * dyb)));
}

__device__ double bev_area(const float* a) {
    double dx = a[3], dy = a[4];
    return dx > 0 && dy > 0 ? dx * dy : 0;
}

__device__ double iou_bev(const float* a, const float* b) {
    double ov = bev_overlap(a, b);
    return ov / fmax(bev_area(a) + bev_area(b) - ov, 1e-8);
}

// Axis-aligned BEV IoU, heading ignored (Nms.Type.NMS_NORMAL_GPU).
__device__ double iou_normal(const float* a, const float* b) {
    double w = fmin((double)a[0] + (double)a[3] / 2, (double)b[0] + (double)b[3] / 2) - fmax((double)a[0] - (double)a[3] / 2, (double)b[0] - (double)b[3] / 2);
    double h = fmin((double)a[1] + (double)a[4] / 2, (double)b[1] + (double)b[4] / 2) - fmax((double)a[1] - (double)a[4] / 2, (double)b[1] - (double)b[4] / 2);
    double inter = fmax(w, 0.0) * fmax(h, 0.0);
    double iou = inter / fmax((double)a[3] * a[4] + (double)b[3] * b[4] - inter, 1e-8);
    return isnan(iou) ? 0 : iou;
}

__device__ double iou_3d(const float* a, const float* b) {
    double ov = bev_overlap(a, b);
    double top = fmin((double)a[2] + (double)a[5] / 2, (double)b[2] + (double)b[5] / 2);
    double bottom = fmax((double)a[2] - (double)a[5] / 2, (double)b[2] - (double)b[5] / 2);
    double h = top - bottom > 0 ? top - bottom : 0;
    double inter = ov * h;
    double va = (double)a[3] * a[4] * a[5], vb = (double)b[3] * b[4] * b[5];
    double iou = inter / fmax(va + vb - inter, 1e-6);
    return isnan(iou) ? 0 : iou;
}

// out[i, j] for boxes a [n, ca] and b [m, cb]: mode 0 BEV overlap area, 1 BEV IoU, 2 3D IoU. Written as float32.
extern "C" __global__ void box_iou_matrix_f32(const float* __restrict__ a, int n, int ca, const float* __restrict__ b, int m, int cb,
                                              int mode, float* __restrict__ out) {
    long long total = (long long)n * m;
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
        const float* ba = a + (t / m) * ca;
        const float* bb = b + (t % m) * cb;
        double v = mode == 0 ? bev_overlap(ba, bb) : (mode == 1 ? iou_bev(ba, bb) : iou_3d(ba, bb));
        out[t] = (float)v;
    }
}

// The NMS suppression bitmask, as OpenPCDet's nms_kernel: boxes are already sorted by descending score; block
// (colBlock, rowBlock) holds 64 rows x 64 columns; bit c of mask[row * colBlocks + colBlock] is set when box
// colBlock * 64 + c (after row) overlaps box row with IoU > thresh. The host then walks rows in order, skipping
// suppressed ones and OR-ing in the kept rows' masks. mode 0 rotated BEV IoU, 1 axis-aligned.
extern "C" __global__ void nms_mask_f32(const float* __restrict__ boxes, int n, int cols, double thresh, int mode,
                                        unsigned long long* __restrict__ mask) {
    __shared__ float colBoxes[NMS_THREADS * 7];
    int rowBlock = blockIdx.y, colBlock = blockIdx.x;
    int rowSize = min(n - rowBlock * NMS_THREADS, NMS_THREADS), colSize = min(n - colBlock * NMS_THREADS, NMS_THREADS);
    if (rowSize <= 0 || colSize <= 0) return;
    if (threadIdx.x < colSize)
        for (int c = 0; c < 7; ++c) colBoxes[threadIdx.x * 7 + c] = boxes[(long long)(colBlock * NMS_THREADS + threadIdx.x) * cols + c];
    __syncthreads();
    if (threadIdx.x >= rowSize) return;
    int row = rowBlock * NMS_THREADS + threadIdx.x;
    float cur[7];
    for (int c = 0; c < 7; ++c) cur[c] = boxes[(long long)row * cols + c];
    unsigned long long bits = 0;
    int start = rowBlock == colBlock ? threadIdx.x + 1 : 0;
    for (int i = start; i < colSize; ++i) {
        double iou = mode == 0 ? iou_bev(cur, colBoxes + i * 7) : iou_normal(cur, colBoxes + i * 7);
        if (iou > thresh) bits |= 1ULL << i;  // the threshold stays float64, as the CPU reference compares it
    }
    int colBlocks = (n + NMS_THREADS - 1) / NMS_THREADS;
    mask[(long long)row * colBlocks + colBlock] = bits;
}

// points_in_boxes_gpu: out[b, i] = the first box (in box order) of batch b containing point i, or -1.
// points [B, N, pc], boxes [B, T, bc]; float32 arithmetic with the reference's rounding (cos/sin of -heading
// computed in double and rounded; the dz/2 and size/2 + margin tests in double).
extern "C" __global__ void points_in_boxes_f32(const float* __restrict__ pts, const float* __restrict__ boxes, int batch, int n, int t, int pc,
                                               int bc, float margin, int* __restrict__ out) {
    long long total = (long long)batch * n;
    for (long long q = blockIdx.x * (long long)blockDim.x + threadIdx.x; q < total; q += (long long)gridDim.x * blockDim.x) {
        int bi = (int)(q / n);
        const float* p = pts + q * pc;
        float x = p[0], y = p[1], z = p[2];
        int found = -1;
        for (int k = 0; k < t && found < 0; ++k) {
            const float* b = boxes + ((long long)bi * t + k) * bc;
            if (fabs((double)(z - b[2])) > (double)b[5] / 2.0) continue;
            float cosa = (float)cos(-(double)b[6]), sina = (float)sin(-(double)b[6]);
            float sx = x - b[0], sy = y - b[1];
            float lx = sx * cosa + sy * (-sina);
            float ly = sx * sina + sy * cosa;
            if (fabs((double)lx) < (double)b[3] / 2.0 + margin && fabs((double)ly) < (double)b[4] / 2.0 + margin) found = k;
        }
        out[q] = found;
    }
}
