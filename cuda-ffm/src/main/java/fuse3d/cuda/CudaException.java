package fuse3d.cuda;

/**
 * A failed CUDA driver or NVRTC call, or CUDA requested where none is available: the message names the call, the
 * error's name and its description (and NVRTC's compile log when there is one).
 */
public class CudaException extends RuntimeException {
    private final String call;
    private final int code;

    public CudaException(String call, int code, String message) {
        super(message);
        this.call = call;
        this.code = code;
    }

    public CudaException(String message) {
        this("", 0, message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
        this.call = "";
        this.code = 0;
    }

    /** The native function that failed ("cuMemAlloc_v2"), or "" when no call failed. */
    public String call() { return call; }

    /** The CUresult or nvrtcResult code, 0 when no call failed. */
    public int code() { return code; }
}
