#!/usr/bin/env python3
"""Reference attributions from plain PyTorch autograd, for dl4j-interpret's PyTorchReferenceTest.

Run by hand (not by CI, not by `mvn test`) with Debian's PyTorch:

    apt-get install python3-torch python3-numpy
    /usr/bin/python3 tools/reference/make_fixtures.py dl4j-interpret-core/src/test/resources/reference

It builds two small seeded networks in double precision, a VGG-like stack (conv-relu x2, max pool, conv-relu, max
pool, linear-relu, linear) and a ResNet-like graph (conv, batch norm, relu, a residual block of two conv + batch norm
with an addition, global average pooling, linear), and writes, per network, its weights, an input batch and the
reference results of: logits, saliency (the raw input gradient), gradient x input, integrated gradients (a seeded
noise baseline, 16 Gauss-Legendre points and 16-point left/right/middle/trapezoid Riemann rules, the trapezoid with the
true weights: both ends halved, weights summing to 1), guided backpropagation and deconvnet (ReLU modules
replaced by autograd functions with the rules' backward), occlusion (4x4 zero patch, stride 2, the score drop
averaged over the windows covering each pixel, the last window flush with the border) and Grad-CAM at the last
convolution both before and after its ReLU (channel weights = spatial mean of the gradient, no ReLU on the map, at
the layer's resolution, as Captum's LayerGradCam with relu_attributions=False), layer-wise relevance propagation
with three composites and DeepLIFT (Rescale; RevealCancel on the ResNet-like network) against the noise baseline, both written out layer by layer below
(explicit per-layer rules, transposed maps from autograd; batch norm folded into the convolution before it, max
pooling winner-take-all for LRP and multipliers as gradients for DeepLIFT). Targets: the logit of class
[0, 1, 2] for examples 0, 1, 2. Inputs are continuous random values; the only max-pooling ties are windows of ReLU
zeros, which matter under the deconvnet rule alone, and there the reference splits the gradient equally among the
tied elements, the library's documented rule (PyTorch's own max pooling gives it to one of them).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
TARGETS = [0, 1, 2]
STEPS = 16


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0).to(g.dtype)


class DeconvRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clamp(min=0)


class TiedMaxPool(torch.autograd.Function):
    """2x2/2 max pooling whose backward splits a window's gradient equally among tied maxima: the library's
    documented subgradient (PyTorch's own gives it to one element). Ties occur under the deconvnet rule, which
    sends gradient through windows of ReLU zeros."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.max_pool2d(x, 2)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        n, c, h, w = x.shape
        cols = F.unfold(x.reshape(n * c, 1, h, w), 2, stride=2)  # [n*c, 4, windows]
        mask = (cols == cols.max(dim=1, keepdim=True).values).to(g.dtype)
        share = mask / mask.sum(dim=1, keepdim=True) * g.reshape(n * c, 1, -1)
        return F.fold(share, (h, w), 2, stride=2).reshape(n, c, h, w)


def relu_for(rule):
    return {"normal": F.relu, "guided": GuidedRelu.apply, "deconvnet": DeconvRelu.apply}[rule]


class VggLike(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 6, 3, padding=1)
        self.conv3 = torch.nn.Conv2d(6, 8, 3, padding=1)
        self.fc1 = torch.nn.Linear(8 * 3 * 3, 10)
        self.fc2 = torch.nn.Linear(10, 4)

    def forward(self, x, rule="normal", keep=None):
        relu = relu_for(rule)
        x = relu(self.conv1(x))
        x = TiedMaxPool.apply(relu(self.conv2(x)))
        pre = self.conv3(x)
        post = relu(pre)
        if keep is not None:
            keep["pre"], keep["post"] = pre, post
        x = TiedMaxPool.apply(post)
        x = relu(self.fc1(x.flatten(1)))
        return self.fc2(x)

    def weights(self):
        return {"conv1_W": self.conv1.weight, "conv1_b": self.conv1.bias, "conv2_W": self.conv2.weight,
                "conv2_b": self.conv2.bias, "conv3_W": self.conv3.weight, "conv3_b": self.conv3.bias,
                "fc1_W": self.fc1.weight, "fc1_b": self.fc1.bias, "fc2_W": self.fc2.weight, "fc2_b": self.fc2.bias}


class ResNetLike(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.stem_bn = torch.nn.BatchNorm2d(4)
        self.a = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.a_bn = torch.nn.BatchNorm2d(4)
        self.b = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.b_bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x, rule="normal", keep=None):
        relu = relu_for(rule)
        s = relu(self.stem_bn(self.stem(x)))
        y = relu(self.a_bn(self.a(s)))
        pre = self.b_bn(self.b(y)) + s
        post = relu(pre)
        if keep is not None:
            keep["pre"], keep["post"] = pre, post
        return self.fc(post.mean(dim=(2, 3)))

    def weights(self):
        out = {"stem_W": self.stem.weight, "a_W": self.a.weight, "b_W": self.b.weight, "fc_W": self.fc.weight,
               "fc_b": self.fc.bias}
        for name in ("stem_bn", "a_bn", "b_bn"):
            bn = getattr(self, name)
            out[name + "_gamma"] = bn.weight
            out[name + "_beta"] = bn.bias
            out[name + "_mean"] = bn.running_mean
            out[name + "_var"] = bn.running_var
        return out


def target_sum(logits):
    return sum(logits[i, t] for i, t in enumerate(TARGETS))


def input_gradient(net, x, rule="normal"):
    x = x.clone().requires_grad_(True)
    target_sum(net(x, rule)).backward()
    return x.grad.detach()


def rule_points(kind, n):
    if kind == "gauss_legendre":
        t, w = np.polynomial.legendre.leggauss(n)
        return (t + 1) / 2, w / 2
    k = np.arange(n, dtype=np.float64)
    if kind == "left":
        return k / n, np.full(n, 1.0 / n)
    if kind == "right":
        return (k + 1) / n, np.full(n, 1.0 / n)
    if kind == "middle":
        return (k + 0.5) / n, np.full(n, 1.0 / n)
    w = np.full(n, 1.0 / (n - 1))
    w[0] = w[-1] = 0.5 / (n - 1)
    return k / (n - 1), w


def integrated_gradients(net, x, x0, kind):
    alphas, weights = rule_points(kind, STEPS)
    total = torch.zeros_like(x)
    for a, w in zip(alphas, weights):
        total += w * input_gradient(net, x0 + a * (x - x0))
    return (x - x0) * total


def positions(size, window, stride):
    p = list(range(0, size - window + 1, stride))
    if p[-1] != size - window:
        p.append(size - window)
    return p


def occlusion(net, x, window=4, stride=2):
    n, c, h, w = x.shape
    with torch.no_grad():
        base = net(x)
        total = torch.zeros(n, h, w)
        count = torch.zeros(h, w)
        for y in positions(h, window, stride):
            for xx in positions(w, window, stride):
                occluded = x.clone()
                occluded[:, :, y:y + window, xx:xx + window] = 0
                out = net(occluded)
                for i, t in enumerate(TARGETS):
                    total[i, y:y + window, xx:xx + window] += base[i, t] - out[i, t]
                count[y:y + window, xx:xx + window] += 1
    return total / count


def grad_cam(net, x, which):
    keep = {}
    logits = net(x, keep=keep)
    act = keep[which]
    grad, = torch.autograd.grad(target_sum(logits), act)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    return (weights * act).sum(dim=1).detach()


# ------------------------------------------------------------------------------------------------------------ LRP

STAB = 1e-9


def safe_div(num, den):
    keep = den.abs() > STAB
    return torch.where(keep, num / torch.where(keep, den, torch.ones_like(den)), torch.zeros_like(num))


def transpose(f, a, s):
    """w^T s for the linear map f at a (autograd of <f(a), s>)."""
    a = a.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad((f(a) * s.detach()).sum(), a)
    return g


def lrp_rule(rule, lin, w, b, a, r):
    """Relevance of a linear layer's input; lin(a, w, b) is the layer's map."""
    kind, p = rule
    if kind == "epsilon":
        z = lin(a, w, b)
        z = z + p * (2 * (z >= 0).to(z.dtype) - 1) if p > 0 else z
        return a * transpose(lambda t: lin(t, w, b), a, safe_div(r, z))
    if kind == "gamma":
        wg = w + p * w.clamp(min=0)
        bg = None if b is None else b + p * b.clamp(min=0)
        return a * transpose(lambda t: lin(t, wg, bg), a, safe_div(r, lin(a, wg, bg)))
    if kind in ("alphabeta", "zplus"):
        alpha, beta = p if kind == "alphabeta" else (1.0, 0.0)
        use_b = kind == "alphabeta" and b is not None
        ap, an = a.clamp(min=0), a.clamp(max=0)
        wp, wn = w.clamp(min=0), w.clamp(max=0)
        bp = b.clamp(min=0) if use_b else None
        bn = b.clamp(max=0) if use_b else None
        zp = lin(ap, wp, bp) + lin(an, wn, None)
        sp = safe_div(r, zp)
        pos = ap * transpose(lambda t: lin(t, wp, None), ap, sp) + an * transpose(lambda t: lin(t, wn, None), an, sp)
        if beta == 0:
            return alpha * pos
        zn = lin(ap, wn, bn) + lin(an, wp, None)
        sn = safe_div(r, zn)
        neg = ap * transpose(lambda t: lin(t, wn, None), ap, sn) + an * transpose(lambda t: lin(t, wp, None), an, sn)
        return alpha * pos - beta * neg
    if kind == "zbox":
        lo, hi = p
        low, high = torch.full_like(a, lo), torch.full_like(a, hi)
        wp, wn = w.clamp(min=0), w.clamp(max=0)
        z = lin(a, w, b) - lin(low, wp, None) - lin(high, wn, None)
        s = safe_div(r, z)
        return (a * transpose(lambda t: lin(t, w, None), a, s) - low * transpose(lambda t: lin(t, wp, None), low, s)
                - high * transpose(lambda t: lin(t, wn, None), high, s))
    raise ValueError(kind)


def conv_map(t, w, b):
    return F.conv2d(t, w, b, padding=1)


def dense_map(t, w, b):
    return F.linear(t, w, b)


def winner_take_all(a, r):
    """Max pooling 2x2/2: each window's relevance to its maxima in equal parts (TiedMaxPool's backward)."""
    a = a.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad((TiedMaxPool.apply(a) * r.detach()).sum(), a)
    return g


def onehot_logits(z):
    r = torch.zeros_like(z)
    for i, t in enumerate(TARGETS):
        r[i, t] = z[i, t]
    return r


def lrp_vgg(net, x, rules):
    """rules: conv1, conv2, conv3, fc1, fc2."""
    with torch.no_grad():
        a1 = F.relu(net.conv1(x))
        a2 = F.relu(net.conv2(a1))
        p2 = F.max_pool2d(a2, 2)
        a3 = F.relu(net.conv3(p2))
        p3 = F.max_pool2d(a3, 2)
        f = p3.flatten(1)
        a4 = F.relu(net.fc1(f))
        z5 = net.fc2(a4)
    r = onehot_logits(z5)
    r = lrp_rule(rules[4], dense_map, net.fc2.weight, net.fc2.bias, a4, r)
    r = lrp_rule(rules[3], dense_map, net.fc1.weight, net.fc1.bias, f, r).reshape(p3.shape)
    r = winner_take_all(a3, r)
    r = lrp_rule(rules[2], conv_map, net.conv3.weight, net.conv3.bias, p2, r)
    r = winner_take_all(a2, r)
    r = lrp_rule(rules[1], conv_map, net.conv2.weight, net.conv2.bias, a1, r)
    return lrp_rule(rules[0], conv_map, net.conv1.weight, net.conv1.bias, x, r)


def folded(conv, bn):
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return conv.weight * scale.reshape(-1, 1, 1, 1), bn.bias - bn.running_mean * scale


def lrp_resnet(net, x, rules):
    """rules: stem, a, b, fc; batch norms folded; the sum, the ReLUs and the mean pass relevance as LRP-0."""
    ws, bs = folded(net.stem, net.stem_bn)
    wa, ba = folded(net.a, net.a_bn)
    wb, bb = folded(net.b, net.b_bn)
    with torch.no_grad():
        s = F.relu(conv_map(x, ws, bs))
        y = F.relu(conv_map(s, wa, ba))
        zb = conv_map(y, wb, bb)
        post = F.relu(zb + s)
        g = post.mean(dim=(2, 3))
        z = net.fc(g)
    r = onehot_logits(z)
    r = lrp_rule(rules[3], dense_map, net.fc.weight, net.fc.bias, g, r)
    # global average pooling as LRP-0 on the mean
    r = post * transpose(lambda t: t.mean(dim=(2, 3)), post, safe_div(r, g))
    # the sum zb + s: in proportion to each term
    total = zb + s
    r_b, r_s = zb * safe_div(r, total), s * safe_div(r, total)
    r_y = lrp_rule(rules[2], conv_map, wb, bb, y, r_b)
    r_s = r_s + lrp_rule(rules[1], conv_map, wa, ba, s, r_y)
    return lrp_rule(rules[0], conv_map, ws, bs, x, r_s)


# ------------------------------------------------------------------------------------------------------- DeepLIFT

RESCALE_TOL = 1e-7


def rescale(z, z0, m, f, fprime):
    dz = z - z0
    small = dz.abs() < torch.clamp(torch.maximum(z.abs(), z0.abs()) * 1e-12, min=RESCALE_TOL)
    secant = (f(z) - f(z0)) / torch.where(small, torch.ones_like(dz), dz)
    return m * torch.where(small, fprime(z), secant)


def relu_prime(z):
    return (z > 0).to(z.dtype)


def deeplift_maxpool(a, a0, m):
    """DeepLIFT's gradient mode for maxima: the multiplier goes to the window's maxima at the input."""
    return winner_take_all(a, m)


def deeplift_vgg(net, x, x0):
    def fwd(t):
        z1 = net.conv1(t)
        a1 = F.relu(z1)
        z2 = net.conv2(a1)
        a2 = F.relu(z2)
        p2 = F.max_pool2d(a2, 2)
        z3 = net.conv3(p2)
        a3 = F.relu(z3)
        p3 = F.max_pool2d(a3, 2)
        z4 = net.fc1(p3.flatten(1))
        return dict(z1=z1, a1=a1, z2=z2, a2=a2, p2=p2, z3=z3, a3=a3, p3=p3, z4=z4)
    with torch.no_grad():
        u, v = fwd(x), fwd(x0)
    m = torch.zeros(x.shape[0], 4, dtype=x.dtype)
    for i, t in enumerate(TARGETS):
        m[i, t] = 1
    m = m @ net.fc2.weight
    m = rescale(u["z4"], v["z4"], m, F.relu, relu_prime) @ net.fc1.weight
    m = deeplift_maxpool(u["a3"], v["a3"], m.reshape(u["p3"].shape))
    m = transpose(lambda t: net.conv3(t), u["p2"], rescale(u["z3"], v["z3"], m, F.relu, relu_prime))
    m = deeplift_maxpool(u["a2"], v["a2"], m)
    m = transpose(lambda t: net.conv2(t), u["a1"], rescale(u["z2"], v["z2"], m, F.relu, relu_prime))
    m = transpose(lambda t: net.conv1(t), x, rescale(u["z1"], v["z1"], m, F.relu, relu_prime))
    return (x - x0) * m


def deeplift_resnet(net, x, x0):
    def fwd(t):
        zs = net.stem_bn(net.stem(t))
        s = F.relu(zs)
        za = net.a_bn(net.a(s))
        y = F.relu(za)
        pre = net.b_bn(net.b(y)) + s
        return dict(zs=zs, s=s, za=za, y=y, pre=pre)
    with torch.no_grad():
        u, v = fwd(x), fwd(x0)
    m = torch.zeros(x.shape[0], 3, dtype=x.dtype)
    for i, t in enumerate(TARGETS):
        m[i, t] = 1
    post = F.relu(u["pre"])
    m = transpose(lambda t: t.mean(dim=(2, 3)), post, m @ net.fc.weight)
    m_pre = rescale(u["pre"], v["pre"], m, F.relu, relu_prime)
    m_y = transpose(lambda t: net.b_bn(net.b(t)), u["y"], m_pre)
    m_s = m_pre + transpose(lambda t: net.a_bn(net.a(t)), u["s"],
                            rescale(u["za"], v["za"], m_y, F.relu, relu_prime))
    m_x = transpose(lambda t: net.stem_bn(net.stem(t)), x, rescale(u["zs"], v["zs"], m_s, F.relu, relu_prime))
    return (x - x0) * m_x


def signed_parts(t):
    return t.clamp(min=0), t.clamp(max=0)


def rc_forward(f, dp, dn, w):
    """Positive and negative parts through a linear map f(t, w) (no bias): routed by the weights' signs."""
    wp, wn = w.clamp(min=0), w.clamp(max=0)
    return f(dp, wp) + f(dn, wn), f(dp, wn) + f(dn, wp)


def rc_backward(f, like, mp, mn, w):
    """Multipliers of the input parts of a linear map from those of its output parts."""
    wp, wn = w.clamp(min=0), w.clamp(max=0)
    t = lambda ww, m: transpose(lambda a: f(a, ww), like, m)
    return t(wp, mp) + t(wn, mn), t(wp, mn) + t(wn, mp)


def rc_activation(z0, dp, dn):
    """RevealCancel at a ReLU: each part's effect averaged over the other's absence and presence."""
    r = F.relu
    yp = 0.5 * (r(z0 + dp) - r(z0)) + 0.5 * (r(z0 + dp + dn) - r(z0 + dn))
    yn = 0.5 * (r(z0 + dn) - r(z0)) + 0.5 * (r(z0 + dp + dn) - r(z0 + dp))
    return yp, yn


def rc_slopes(z, dz, dy, m):
    small = dz.abs() < torch.clamp(dz.abs() * 1e-12, min=RESCALE_TOL)
    return m * torch.where(small, relu_prime(z), dy / torch.where(small, torch.ones_like(dz), dz))


def revealcancel_resnet(net, x, x0):
    """DeepLIFT's RevealCancel on the ResNet-like network (batch norms folded: the same positive/negative routing)."""
    ws, bs = folded(net.stem, net.stem_bn)
    wa, ba = folded(net.a, net.a_bn)
    wb, bb = folded(net.b, net.b_bn)
    conv = lambda t, w: conv_map(t, w, None)
    with torch.no_grad():
        def fwd(t):
            zs = conv_map(t, ws, bs)
            s = F.relu(zs)
            za = conv_map(s, wa, ba)
            y = F.relu(za)
            pre = conv_map(y, wb, bb) + s
            return dict(zs=zs, s=s, za=za, y=y, pre=pre)
        u, v = fwd(x), fwd(x0)
        dp, dn = signed_parts(x - x0)
        zsp, zsn = rc_forward(conv, dp, dn, ws)
        sp, sn = rc_activation(v["zs"], zsp, zsn)
        zap, zan = rc_forward(conv, sp, sn, wa)
        yp, yn = rc_activation(v["za"], zap, zan)
        zbp, zbn = rc_forward(conv, yp, yn, wb)
        prep, pren = zbp + sp, zbn + sn
        postp, postn = rc_activation(v["pre"], prep, pren)
    seed = torch.zeros(x.shape[0], 3, dtype=x.dtype)
    for i, t in enumerate(TARGETS):
        seed[i, t] = 1
    post = F.relu(u["pre"])
    mg = seed @ net.fc.weight  # both parts: W+^T seed + W-^T seed
    mpost = transpose(lambda t: t.mean(dim=(2, 3)), post, mg)
    mpre_p = rc_slopes(u["pre"], prep, postp, mpost)
    mpre_n = rc_slopes(u["pre"], pren, postn, mpost)
    my_p, my_n = rc_backward(conv, u["y"], mpre_p, mpre_n, wb)
    mza_p = rc_slopes(u["za"], zap, yp, my_p)
    mza_n = rc_slopes(u["za"], zan, yn, my_n)
    ms_p, ms_n = rc_backward(conv, u["s"], mza_p, mza_n, wa)
    ms_p, ms_n = ms_p + mpre_p, ms_n + mpre_n
    mzs_p = rc_slopes(u["zs"], zsp, sp, ms_p)
    mzs_n = rc_slopes(u["zs"], zsn, sn, ms_n)
    mx_p, mx_n = rc_backward(conv, x, mzs_p, mzs_n, ws)
    return dp * mx_p + dn * mx_n


def randomise_batch_norm(net, gen):
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.num_features, generator=gen)
            m.bias.data = torch.randn(m.num_features, generator=gen) * 0.2
            m.running_mean.data = torch.randn(m.num_features, generator=gen) * 0.3
            m.running_var.data = 0.5 + torch.rand(m.num_features, generator=gen)


def export(net, x, out):
    os.makedirs(out, exist_ok=True)
    save = lambda name, t: np.save(os.path.join(out, name + ".npy"), t.detach().numpy().astype(np.float64))
    for k, v in net.weights().items():
        save("w_" + k, v)
    save("input", x)
    with torch.no_grad():
        save("logits", net(x))
    g = input_gradient(net, x)
    save("saliency", g)
    save("gradient_x_input", g * x)
    # a noise baseline: an all-zero one would put the left rule's first point on max-pooling ties (every window
    # equal), where any subgradient is valid and PyTorch's choice is not the library's documented equal split
    x0 = torch.rand(x.shape, generator=torch.Generator().manual_seed(11)) * 0.1
    save("ig_baseline", x0)
    for kind in ("gauss_legendre", "left", "right", "middle", "trapezoid"):
        save("ig_" + kind, integrated_gradients(net, x, x0, kind))
    save("guided_backprop", input_gradient(net, x, "guided"))
    save("deconvnet", input_gradient(net, x, "deconvnet"))
    save("occlusion", occlusion(net, x))
    save("gradcam_pre", grad_cam(net, x, "pre"))
    save("gradcam_post", grad_cam(net, x, "post"))
    save("deeplift", (deeplift_vgg if isinstance(net, VggLike) else deeplift_resnet)(net, x, x0))
    if isinstance(net, VggLike):
        # LrpComposite.montavon(0, 1), epsilonGammaBox(0, 1) and epsilonAlpha2Beta1() on 3 convolutions + 2 dense
        eps = lambda e: ("epsilon", e)
        box = ("zbox", (0.0, 1.0))
        save("lrp_montavon", lrp_vgg(net, x, [box, eps(0.25), eps(0.25), eps(0.0), eps(0.0)]))
        save("lrp_epsilon_gamma_box", lrp_vgg(net, x, [box, ("gamma", 0.25), ("gamma", 0.25), eps(1e-6), eps(1e-6)]))
        save("lrp_epsilon_alpha2beta1", lrp_vgg(net, x, [("alphabeta", (2.0, 1.0))] * 3 + [eps(1e-6)] * 2))
    else:
        # epsilonGammaBox(-0.3, 0.7) (the inputs' range) and epsilonPlus() on 3 convolutions + 1 dense
        save("lrp_epsilon_gamma_box", lrp_resnet(net, x, [("zbox", (-0.3, 0.7)), ("gamma", 0.25), ("gamma", 0.25),
                                                           ("epsilon", 1e-6)]))
        save("lrp_epsilon_plus", lrp_resnet(net, x, [("zplus", None)] * 3 + [("epsilon", 1e-6)]))
        save("deeplift_revealcancel", revealcancel_resnet(net, x, x0))


def main(root):
    torch.manual_seed(20261201)
    gen = torch.Generator().manual_seed(7)
    vgg = VggLike().eval()
    export(vgg, torch.rand(3, 3, 12, 12, generator=gen), os.path.join(root, "vgg"))
    res = ResNetLike().eval()
    randomise_batch_norm(res, gen)
    export(res, torch.rand(3, 3, 10, 10, generator=gen) - 0.3, os.path.join(root, "resnet"))
    print("fixtures written under", root, "with torch", torch.__version__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dl4j-interpret-core/src/test/resources/reference")
