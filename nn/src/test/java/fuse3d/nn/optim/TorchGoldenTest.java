package fuse3d.nn.optim;

import static fuse3d.nn.optim.OptimTesting.assertBits;
import static fuse3d.nn.optim.OptimTesting.grad;
import static fuse3d.nn.optim.OptimTesting.param;
import static fuse3d.nn.optim.OptimTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.autograd.Var;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Five steps of each optimizer, one-cycle and clipping against numbers printed once by PyTorch 1.13.1 (CPU,
 * float32, single-tensor optimizers). The Python that produced them is quoted with each case; the full
 * fixture set comes from the project's golden generator, these few are a hand check that the arithmetic
 * follows torch's kernels. They agree bit for bit (the goal was 1e-6 relative): every scalar is rounded to
 * float32 where torch rounds it, and the fused multiply-adds sit where torch's CPU kernels fuse.
 */
class TorchGoldenTest {
    static final float[] P0 = {0.5f, -1.25f, 2.0f, 0.003000000026077032f, -0.699999988079071f, 0.0010000000474974513f, 3.0f,
            -0.019999999552965164f, 0.25f};
    // G[k][i] = float32(sin(1.7 k + 0.3 i) * (i + 1) * 0.1)
    static final float[][] G = {
            {0.0f, 0.05910404026508331f, 0.16939273476600647f, 0.3133307695388794f, 0.46601954102516174f, 0.5984969735145569f,
                    0.6816933155059814f, 0.6905674934387207f, 0.6079168915748596f},
            {0.09916648268699646f, 0.18185947835445404f, 0.22371156513690948f, 0.20620055496692657f, 0.11962466686964035f,
                    -0.0350244864821434f, -0.24554826319217682f, -0.48948630690574646f, -0.7364494204521179f},
            {-0.025554109364748f, -0.10596723109483719f, -0.22704075276851654f, -0.36646637320518494f, -0.4968455135822296f,
                    -0.5894715785980225f, -0.618418276309967f, -0.5644322633743286f, -0.4181419610977173f},
            {-0.09258146584033966f, -0.1545528918504715f, -0.16520565748214722f, -0.11176619678735733f, 0.008406950160861015f,
                    0.18692481517791748f, 0.40490782260894775f, 0.6349343061447144f, 0.8441999554634094f},
            {0.049411334097385406f, 0.14579381048679352f, 0.2696124315261841f, 0.3952673077583313f, 0.49467912316322327f,
                    0.5413030982017517f, 0.5140779614448547f, 0.4008166790008545f, 0.20060092210769653f}};

    /** Runs five steps from P0 with G and returns the parameter. */
    private static float[] fiveSteps(Function<List<Var>, Optimizer> make) {
        Var p = param(P0);
        Optimizer opt = make.apply(List.of(p));
        for (float[] g : G) {
            grad(p, g);
            opt.step();
        }
        return values(p);
    }

    private static void check(float[] torch, float[] ours, String what) { assertBits(torch, ours, what); }

    @Test
    void sgd() {
        // torch.optim.SGD([p], lr=0.1)
        check(new float[] {0.4969557225704193f, -1.2626237869262695f, 1.9729530811309814f, -0.04065660759806633f, -0.7591885328292847f,
                -0.06922288984060287f, 2.926328420639038f, -0.08723999559879303f, 0.20018738508224487f},
                fiveSteps(ps -> new Sgd(ps, Map.of("lr", 0.1))), "SGD");
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
        check(new float[] {0.4808748960494995f, -1.2758936882019043f, 1.8966680765151978f, -0.11573795229196548f, -0.8434390425682068f,
                -0.1694391816854477f, 2.796243667602539f, -0.1574450135231018f, 0.16584999859333038f},
                fiveSteps(ps -> new Sgd(ps, Map.of("lr", 0.1, "momentum", 0.9, "dampening", 0.1, "weight_decay", 0.01))), "SGD momentum");
        // torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)
        check(new float[] {0.49152281880378723f, -1.2747091054916382f, 1.9486565589904785f, -0.07199540734291077f, -0.7957515120506287f,
                -0.1074015349149704f, 2.890714645385742f, -0.10857599228620529f, 0.19662347435951233f},
                fiveSteps(ps -> new Sgd(ps, Map.of("lr", 0.05, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-3))), "SGD nesterov");
    }

    @Test
    void adam() {
        // torch.optim.Adam([p], lr=0.01)
        check(new float[] {0.489409863948822f, -1.272592306137085f, 1.9765952825546265f, -0.01997598074376583f, -0.7213789224624634f,
                -0.017869671806693077f, 2.9842722415924072f, -0.03213590756058693f, 0.241773322224617f},
                fiveSteps(ps -> new Adam(ps, Map.of("lr", 0.01))), "Adam");
        // torch.optim.Adam([p], lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, amsgrad=True)
        check(new float[] {0.46308544278144836f, -1.2199749946594238f, 1.9600046873092651f, -0.018092921003699303f, -0.7132474184036255f,
                -0.016236668452620506f, 2.968386650085449f, -0.03114868514239788f, 0.24073362350463867f},
                fiveSteps(ps -> new Adam(ps, Map.of("lr", 0.01, "beta1", 0.8, "beta2", 0.95, "weight_decay", 0.1, "amsgrad", true))),
                "Adam weight decay + amsgrad");
    }

    @Test
    void adamW() {
        // torch.optim.AdamW([p], lr=0.01, weight_decay=0.05)
        check(new float[] {0.4881754219532013f, -1.2694343328475952f, 1.9716365337371826f, -0.01994832418859005f, -0.7195982933044434f,
                -0.017843622714281082f, 2.9768033027648926f, -0.0320664644241333f, 0.24116374552249908f},
                fiveSteps(ps -> new AdamW(ps, Map.of("lr", 0.01, "weight_decay", 0.05))), "AdamW");
        // torch.optim.AdamW([p], lr=0.003, betas=(0.9, 0.99), weight_decay=0.01, amsgrad=True, maximize=True)
        check(new float[] {0.5030971765518188f, -1.2430413961410522f, 2.0067176818847656f, 0.009893190115690231f, -0.693477213382721f,
                0.006658902391791344f, 3.0042710304260254f, -0.016355767846107483f, 0.25242990255355835f},
                fiveSteps(ps -> new AdamW(ps, Map.of("lr", 0.003, "beta1", 0.9, "beta2", 0.99, "weight_decay", 0.01, "amsgrad", true,
                        "maximize", true))), "AdamW amsgrad + maximize");
    }

    @Test
    void oneCycleWithAdam() {
        // opt = torch.optim.Adam([p], lr=1.0, betas=(0.9, 0.99))
        // sch = OneCycleLR(opt, max_lr=0.01, total_steps=10); per step: record lr, beta1; p.grad = G[k % 5]; opt.step(); sch.step()
        double[] lrs = {0.0003999999999999993, 0.0052, 0.01, 0.009504846320134737, 0.008117456539497631, 0.0061126202193628925,
                0.003887419780637108, 0.00188258346050237, 0.0004951936798652628, 4e-08};
        double[] moms = {0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842, 0.9111260466978157,
                0.9311744900929366, 0.945048443395121, 0.95};
        Var p = param(P0);
        Adam opt = new Adam(List.of(p), Map.of("lr", 1.0, "beta1", 0.9, "beta2", 0.99));
        OneCycleLR sch = new OneCycleLR(opt, 0.01, 10, OneCycleLR.Options.defaults());
        for (int k = 0; k < 10; k++) {
            ParamGroup g = opt.paramGroups().get(0);
            assertEquals(lrs[k], g.lr(), 1e-18 + 1e-15 * lrs[k], "lr at step " + k);
            assertEquals(moms[k], g.get("beta1"), 1e-15, "beta1 at step " + k);
            grad(p, G[k % 5]);
            opt.step();
            sch.step();
        }
        check(new float[] {0.49644047021865845f, -1.254509687423706f, 1.9953352212905884f, -0.0014677332947030663f, -0.7039631009101868f,
                -0.002211058745160699f, 2.9977455139160156f, -0.021106017753481865f, 0.25021275877952576f}, values(p), "Adam + OneCycleLR");
    }

    @Test
    void clipping() {
        // ps = [zeros(4), zeros(5)]; ps[0].grad = G[0][:4]; ps[1].grad = G[1][:5]; clip_grad_norm_(ps, 0.1)
        Var a = param(new float[4]), b = param(new float[5]);
        grad(a, java.util.Arrays.copyOf(G[0], 4));
        grad(b, java.util.Arrays.copyOf(G[1], 5));
        double total = GradClip.clipGradNorm(List.of(a, b), 0.1);
        assertEquals(0.5292879939079285, total, 1e-7);
        check(new float[] {0.0f, 0.011166686192154884f, 0.03200382739305496f, 0.05919842794537544f}, a.grad().toFloatArray(), "clipped grad 0");
        check(new float[] {0.018735790625214577f, 0.03435920178890228f, 0.04226643219590187f, 0.038958027958869934f, 0.022601012140512466f},
                b.grad().toFloatArray(), "clipped grad 1");
    }
}
