#!/usr/bin/env python3
"""PyTorch reference timings for dl4j-interpret's PyTorchSideBySide benchmark (run by it, or by hand).

Uses Debian's python3-torch and python3-torchvision (random-initialised torchvision VGG16 / ResNet50, no download) and
plain autograd, which is what Captum's methods cost: forward, saliency (input gradient of one logit), integrated
gradients (32 path points, run in chunks of 16 images as the library's default chunk), SmoothGrad (16 noisy copies
in one chunk), occlusion (32-pixel zero patch, stride 16, 8 occluded images per forward), Grad-CAM at the last
convolutional block (VGG16's last conv + ReLU, ResNet50's layer4: the layers the library's zoo uses) and guided
backprop (every ReLU's backward replaced, as Captum's GuidedBackprop does with hooks). Threads: all cores.
Prints one JSON object per batch size on stdout: medians in seconds (after up to 100 warm-up runs, at most 20 s
of them) and the process's peak resident memory.

    /usr/bin/python3 tools/bench/pytorch_side_by_side.py vgg16 1,8 3

The Java harness runs it as a server instead ("serve MODEL BATCH", requests on stdin), so that the two sides
alternate in blocks of five calls and a machine whose speed drifts over minutes slows both alike.
"""
import copy
import json
import os
import resource
import sys
import time

import torch
import torchvision

TARGET = 3
IG_STEPS = 32
SG_SAMPLES = 16
CHUNK = 16
WINDOW = 32
STRIDE = 16
OCC_BATCH = 8


MAX_WARMUP_RUNS = 100
WARMUP_SECONDS = 20.0


def warm_up(fn):
    # the same warm-up as the Java side (Timing.warmUp): up to 100 runs, stopping once 20 s were spent
    start = time.perf_counter()
    runs = 0
    while True:
        fn()
        runs += 1
        if runs >= MAX_WARMUP_RUNS or time.perf_counter() - start >= WARMUP_SECONDS:
            break


def median(fn, reps):
    warm_up(fn)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def input_gradient(net, x):
    x = x.detach().clone().requires_grad_(True)
    net(x)[:, TARGET].sum().backward()
    return x.grad


def integrated_gradients(net, x):
    total = torch.zeros_like(x)
    alphas = (torch.arange(IG_STEPS, dtype=x.dtype) + 0.5) / IG_STEPS
    for i in range(x.shape[0]):
        xi = x[i:i + 1]
        for c in range(0, IG_STEPS, CHUNK):
            a = alphas[c:c + CHUNK].reshape(-1, 1, 1, 1)
            total[i] += input_gradient(net, a * xi).sum(0) / IG_STEPS
    return x * total


def smoothgrad(net, x):
    out = torch.zeros_like(x)
    for i in range(x.shape[0]):
        xi = x[i:i + 1]
        sigma = 0.15 * (xi.max() - xi.min())
        for c in range(0, SG_SAMPLES, CHUNK):
            k = min(CHUNK, SG_SAMPLES - c)
            noisy = xi.repeat(k, 1, 1, 1) + torch.randn(k, *xi.shape[1:]) * sigma
            out[i] += input_gradient(net, noisy).abs().sum(0) / SG_SAMPLES
    return out


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0)


class GuidedReLUModule(torch.nn.Module):
    def forward(self, x):
        return GuidedReLU.apply(x)


def guided(net):
    net = copy.deepcopy(net)
    for name, module in list(net.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, torch.nn.ReLU):
                setattr(module, child_name, GuidedReLUModule())
    return net


def cam_split(net, model):
    """(layers up to the Grad-CAM layer, the rest of the network)."""
    if model == "vgg16":
        return net.features, lambda a: net.classifier(torch.flatten(net.avgpool(a), 1))
    body = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3,
                               net.layer4)
    return body, lambda a: net.fc(torch.flatten(net.avgpool(a), 1))


def grad_cam(split, x):
    body, head = split
    a = body(x)
    g, = torch.autograd.grad(head(a)[:, TARGET].sum(), a)
    weights = g.mean(dim=(2, 3), keepdim=True)
    cam = (weights * a).sum(1).clamp(min=0)
    return torch.nn.functional.interpolate(cam.unsqueeze(1), size=x.shape[2:], mode="bilinear",
                                           align_corners=False)


def occlusion(net, x):
    n, _, h, w = x.shape
    pos = range(0, h - WINDOW + 1, STRIDE)
    with torch.no_grad():
        base = net(x)[:, TARGET]
        total = torch.zeros(n, h, w)
        for i in range(n):
            patches = [(y, z) for y in pos for z in pos]
            for c in range(0, len(patches), OCC_BATCH):
                chunk = patches[c:c + OCC_BATCH]
                imgs = x[i:i + 1].repeat(len(chunk), 1, 1, 1)
                for j, (y, z) in enumerate(chunk):
                    imgs[j, :, y:y + WINDOW, z:z + WINDOW] = 0
                drop = base[i] - net(imgs)[:, TARGET]
                for j, (y, z) in enumerate(chunk):
                    total[i, y:y + WINDOW, z:z + WINDOW] += drop[j]
    return total


def methods(net, model, x):
    """The timed work, by the names the Java harness uses."""
    split = cam_split(net, model)
    guided_net = guided(net)

    def forward():
        with torch.no_grad():
            net(x)

    return {
        "forward": forward,
        "saliency": lambda: input_gradient(net, x),
        "ig32": lambda: integrated_gradients(net, x),
        "smoothgrad16": lambda: smoothgrad(net, x),
        "occlusion": lambda: occlusion(net, x),
        "gradcam": lambda: grad_cam(split, x),
        "guided": lambda: input_gradient(guided_net, x),
    }


def setup(model, batch):
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    net = (torchvision.models.vgg16() if model == "vgg16" else torchvision.models.resnet50()).eval()
    x = torch.rand(batch, 3, 224, 224) * 255 - 115
    return net, x


def main(model, batches, reps):
    for b in batches:
        net, x = setup(model, b)
        work = methods(net, model, x)
        row = {"model": model, "batch": b, "threads": torch.get_num_threads(), "torch": torch.__version__}
        for name in ("forward", "saliency", "gradcam", "guided"):
            row[name] = median(work[name], reps)
        for name in ("ig32", "smoothgrad16", "occlusion"):
            row[name] = once(work[name])
        row["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(json.dumps(row), flush=True)


def serve(model, batch):
    """Runs one method at a time on request, so that the Java harness can alternate the two sides.

    Reads lines from stdin: "warm METHOD" (warm_up(), as median() warms up), "run METHOD" (one timed call),
    "rss" (peak resident memory in GB), "quit"; answers each with one JSON line.
    """
    net, x = setup(model, batch)
    work = methods(net, model, x)
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if words[0] == "rss":
            print(json.dumps({"peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}), flush=True)
        elif words[0] == "warm":
            warm_up(work[words[1]])
            print(json.dumps({"warm": words[1]}), flush=True)
        elif words[0] == "run":
            print(json.dumps({"seconds": once(work[words[1]])}), flush=True)
        else:
            print(json.dumps({"error": "unknown request " + line.strip()}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "vgg16",
             [int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "1").split(",")],
             int(sys.argv[3]) if len(sys.argv) > 3 else 3)
