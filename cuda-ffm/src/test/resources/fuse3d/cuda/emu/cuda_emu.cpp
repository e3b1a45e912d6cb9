// The emulator's runtime (see cuda_emu.h): the grid loop, and for kernels that synchronise, the threads of a block as
// fibers (ucontext) on the calling thread, switched at __syncthreads and warp shuffles. A fiber that reaches a barrier
// waits until every live thread of its block (or warp) has; a thread that returns early leaves the barriers' counts.
#include "cuda_emu.h"

#include <ucontext.h>

#include <vector>

thread_local emu_dim3 threadIdx, blockIdx;
emu_dim3 blockDim, gridDim;

namespace {
std::mutex lock_;
bool threaded_ = false;
bool failed_ = false;

enum State { RUNNABLE, WAIT_BLOCK, WAIT_WARP, DONE };
struct Fiber {
    ucontext_t ctx;
    State state;
    emu_dim3 tid;
};
constexpr size_t STACK = 128 * 1024;
std::vector<Fiber> fibers_;
std::vector<char*> stacks_;
ucontext_t sched_;
int current_ = -1, live_ = 0, block_arrived_ = 0;
std::vector<int> warp_live_, warp_arrived_;
std::vector<unsigned long long> slots_;
const std::function<void()>* body_ = nullptr;

void release(State waiting, int warp) {
    for (size_t t = 0; t < fibers_.size(); ++t)
        if (fibers_[t].state == waiting && (warp < 0 || (int)t / 32 == warp)) fibers_[t].state = RUNNABLE;
}

void check_barriers(int warp) {
    if (block_arrived_ > 0 && block_arrived_ == live_) {
        block_arrived_ = 0;
        release(WAIT_BLOCK, -1);
    }
    if (warp_arrived_[warp] > 0 && warp_arrived_[warp] == warp_live_[warp]) {
        warp_arrived_[warp] = 0;
        release(WAIT_WARP, warp);
    }
}

void wait(State s) {
    int me = current_;
    fibers_[me].state = s;
    if (s == WAIT_BLOCK) ++block_arrived_;
    else ++warp_arrived_[me / 32];
    check_barriers(me / 32);
    swapcontext(&fibers_[me].ctx, &sched_);
}

void fiber_entry() {
    (*body_)();
    int me = current_;
    fibers_[me].state = DONE;
    --live_;
    --warp_live_[me / 32];
    check_barriers(me / 32);
    // returning resumes sched_ through uc_link
}
}  // namespace

std::mutex& emu_lock() { return lock_; }

void emu_syncthreads() {
    if (!threaded_) { failed_ = true; return; }
    wait(WAIT_BLOCK);
}

unsigned long long emu_shfl(unsigned long long bits, int delta, int up) {
    if (!threaded_) { failed_ = true; return bits; }
    int me = current_, warp = me / 32, lane = me % 32;
    int size = std::min(32, (int)fibers_.size() - warp * 32);
    slots_[me] = bits;
    wait(WAIT_WARP);
    int src = up ? lane - delta : lane + delta;
    unsigned long long r = (src >= 0 && src < size) ? slots_[warp * 32 + src] : bits;
    wait(WAIT_WARP);  // nobody overwrites a slot before every lane has read
    return r;
}

int emu_run(int gx, int gy, int gz, int bx, int by, int bz, bool threaded, const std::function<void()>& body) {
    gridDim = {(unsigned)gx, (unsigned)gy, (unsigned)gz};
    blockDim = {(unsigned)bx, (unsigned)by, (unsigned)bz};
    threaded_ = threaded;
    failed_ = false;
    body_ = &body;
    int n = bx * by * bz;
    while ((int)stacks_.size() < n && threaded) stacks_.push_back(new char[STACK]);
    for (int z = 0; z < gz; ++z)
        for (int y = 0; y < gy; ++y)
            for (int x = 0; x < gx; ++x) {
                blockIdx = {(unsigned)x, (unsigned)y, (unsigned)z};
                if (!threaded) {
                    for (int t = 0; t < n; ++t) {
                        threadIdx = {(unsigned)(t % bx), (unsigned)((t / bx) % by), (unsigned)(t / (bx * by))};
                        body();
                        if (failed_) return -2;
                    }
                    continue;
                }
                fibers_.assign(n, Fiber{});
                int warps = (n + 31) / 32;
                warp_live_.assign(warps, 0);
                warp_arrived_.assign(warps, 0);
                slots_.assign(warps * 32, 0);
                live_ = n;
                block_arrived_ = 0;
                for (int t = 0; t < n; ++t) {
                    Fiber& f = fibers_[t];
                    f.tid = {(unsigned)(t % bx), (unsigned)((t / bx) % by), (unsigned)(t / (bx * by))};
                    f.state = RUNNABLE;
                    ++warp_live_[t / 32];
                    getcontext(&f.ctx);
                    f.ctx.uc_stack.ss_sp = stacks_[t];
                    f.ctx.uc_stack.ss_size = STACK;
                    f.ctx.uc_link = &sched_;
                    makecontext(&f.ctx, fiber_entry, 0);
                }
                int done = 0;
                while (done < n) {
                    bool progress = false;
                    done = 0;
                    for (int t = 0; t < n; ++t) {
                        if (fibers_[t].state == DONE) { ++done; continue; }
                        if (fibers_[t].state != RUNNABLE) continue;
                        current_ = t;
                        threadIdx = fibers_[t].tid;
                        swapcontext(&sched_, &fibers_[t].ctx);
                        progress = true;
                    }
                    if (!progress && done < n) return -3;  // every live thread waits on a barrier some thread never reaches
                }
            }
    return 0;
}
