// The porting page's converter: one framework's optimizer settings in, the settings that give the
// same run in the other two out. The rules are the rows of the porting page, each of which ran in
// all three frameworks (snippets/porting/porting_sgd.py, porting_adam.py); tests/test_porting_converter.py
// feeds this converter every row's settings and checks its answer against what ran.
// Nothing leaves the page: no request, works offline.
(() => {
  const NAMES = { torch: "PyTorch", keras: "Keras 3", optax: "optax" };
  // Keras adds ε to √v before the bias correction: the same run while √v is far above ε.
  const KERAS_EPS_SAME = 1e-6;

  // The fields each framework's form shows: [name, kind, default]. Names are the framework's own
  // keyword names; a blank number means the framework's default (null: required, or off).
  const FIELDS = {
    sgd: {
      torch: [["lr", "n", 0.001], ["momentum", "n", 0], ["nesterov", "c"], ["dampening", "n", 0],
        ["weight_decay", "n", 0], ["clip_grad_norm", "n", null], ["accumulate", "n", null]],
      keras: [["learning_rate", "n", 0.01], ["momentum", "n", 0], ["nesterov", "c"],
        ["weight_decay", "n", null], ["l2", "n", null], ["global_clipnorm", "n", null],
        ["clipnorm", "n", null], ["gradient_accumulation_steps", "n", null]],
      optax: [["learning_rate", "n", null], ["momentum", "n", 0], ["nesterov", "c"],
        ["add_decayed_weights", "n", null], ["decay_position", "s", "before"],
        ["clip_by_global_norm", "n", null], ["multisteps", "n", null]],
    },
    adamw: {
      torch: [["lr", "n", 0.001], ["betas0", "n", 0.9], ["betas1", "n", 0.999], ["eps", "n", 1e-8],
        ["weight_decay", "n", 0.01], ["amsgrad", "c"]],
      keras: [["learning_rate", "n", 0.001], ["beta_1", "n", 0.9], ["beta_2", "n", 0.999],
        ["epsilon", "n", 1e-7], ["weight_decay", "n", 0.004], ["amsgrad", "c"]],
      optax: [["learning_rate", "n", null], ["b1", "n", 0.9], ["b2", "n", 0.999], ["eps", "n", 1e-8],
        ["weight_decay", "n", 1e-4], ["amsgrad", "c"]],
    },
    adam_l2: {
      torch: [["lr", "n", 0.001], ["betas0", "n", 0.9], ["betas1", "n", 0.999], ["eps", "n", 1e-8],
        ["weight_decay", "n", 0]],
      keras: [["learning_rate", "n", 0.001], ["beta_1", "n", 0.9], ["beta_2", "n", 0.999],
        ["epsilon", "n", 1e-7], ["l2", "n", null]],
      optax: [["learning_rate", "n", null], ["b1", "n", 0.9], ["b2", "n", 0.999], ["eps", "n", 1e-8],
        ["add_decayed_weights", "n", null]],
    },
    nadam: {
      torch: [["lr", "n", 0.002], ["betas0", "n", 0.9], ["betas1", "n", 0.999], ["eps", "n", 1e-8],
        ["momentum_decay", "n", 0.004]],
      keras: [["learning_rate", "n", 0.001], ["beta_1", "n", 0.9], ["beta_2", "n", 0.999],
        ["epsilon", "n", 1e-7]],
      optax: [["learning_rate", "n", null], ["b1", "n", 0.9], ["b2", "n", 0.999], ["eps", "n", 1e-8]],
    },
    lion: {
      torch: [["lr", "n", 1e-4], ["betas0", "n", 0.9], ["betas1", "n", 0.99], ["weight_decay", "n", 0]],
      keras: [["learning_rate", "n", 0.001], ["beta_1", "n", 0.9], ["beta_2", "n", 0.99],
        ["weight_decay", "n", null]],
      optax: [["learning_rate", "n", null], ["b1", "n", 0.9], ["b2", "n", 0.99],
        ["weight_decay", "n", 1e-3]],
    },
  };
  // Each framework's words for the same settings, in FIELDS' order of ideas.
  const ADAM_KEYS = {
    torch: ["lr", "betas0", "betas1", "eps"],
    keras: ["learning_rate", "beta_1", "beta_2", "epsilon"],
    optax: ["learning_rate", "b1", "b2", "eps"],
  };

  const TEXT = {
    en: {
      lr_changes: "the learning rate changes during the run",
      decay_before: "before sgd (coupled)",
      decay_after: "after trace (decoupled)",
      same: "The same run.",
      nearest: "No setting gives the same run; the nearest:",
      required: (name) => `${name} is required here: enter a number.`,
      number: (name, text) => `${name} must be a number, not "${text}".`,
      range: (name, text) => `${name} must be ${text}.`,
      nesterov: "Nesterov momentum needs a momentum above 0 and no dampening (PyTorch refuses it).",
      one: (a, b) => `Set ${a} or ${b}, not both.`,
      dampening: "Keras and optax have no dampening: the learning rate is scaled by 1 − dampening, " +
        "which matches every gradient but the first, which PyTorch puts in the buffer undamped.",
      l2: "An L2 term in the loss, as PyTorch's coupled weight_decay: kernel_regularizer and " +
        "bias_regularizer on every layer.",
      decayByHand: "Decoupled decay, as Keras does it: before opt.step(), with torch.no_grad(), " +
        "p.mul_(1 - lr * decay) for every parameter.",
      clipEach: "Each tensor clipped by its own norm, as Keras's clipnorm: " +
        "for p in params: clip_grad_norm_([p], max_norm).",
      clipEachOptax: "optax has no clip of each tensor by its own norm.",
      accumulateTorch: "backward() on each micro-batch, its summed loss divided by the tokens of " +
        "the whole batch; one opt.step().",
      accumulateMean: "It averages the K micro-batches' gradients: divide each summed loss by the " +
        "tokens of the whole batch and multiply it by K.",
      lrOptax: "For a learning rate that changes, pass a schedule or wrap with " +
        "optax.inject_hyperparams.",
      rescaleKeras: "At each change of the learning rate, multiply each variable in opt.momentums " +
        "by new / old: Keras keeps the learning rate inside its velocity.",
      rescaleTorch: "At each change of the learning rate, multiply each state['momentum_buffer'] " +
        "by old / new, to follow Keras's velocity.",
      noRescaleOptax: "optax applies a new learning rate at once; no setting follows Keras's velocity.",
      kerasEps: "Keras adds ε to √v before the bias correction, so its ε acts as ε / √(1 − β2^t) " +
        "in the others' form: the same run while √v stays far above that.",
      amsgrad: "optax's AMSGrad keeps the largest bias-corrected v; PyTorch and Keras keep the " +
        "largest v and correct it at each step.",
      nadamKeras: "Keras's Nadam warms its momentum up as 0.96^t: PyTorch's momentum_decay=1.",
      nadamOptax: "optax's nadam has no warm-up: PyTorch's momentum_decay=inf.",
    },
    zh: {
      lr_changes: "训练中途会改变学习率",
      decay_before: "放在 sgd 之前（耦合）",
      decay_after: "放在 trace 之后（解耦）",
      same: "训练轨迹完全一致。",
      nearest: "没有设置能让训练轨迹完全一致；最接近的是：",
      required: (name) => `这里必须填写 ${name}。`,
      number: (name, text) => `${name} 必须是数字，不能是“${text}”。`,
      range: (name, text) => `${name} 必须${text}。`,
      nesterov: "Nesterov 动量要求动量大于 0 且不用 dampening（PyTorch 会拒绝）。",
      one: (a, b) => `${a} 和 ${b} 只能设其中一个。`,
      dampening: "Keras 和 optax 没有 dampening：把学习率乘以 1 − dampening，除第一个梯度外都一致；" +
        "PyTorch 把第一个梯度不经衰减直接放进缓冲区。",
      l2: "损失里的 L2 项，等同 PyTorch 耦合的 weight_decay：每一层都设 kernel_regularizer 和 " +
        "bias_regularizer。",
      decayByHand: "解耦衰减，与 Keras 相同：在 opt.step() 之前，于 torch.no_grad() 中对每个参数执行 " +
        "p.mul_(1 - lr * decay)。",
      clipEach: "每个张量按自己的范数裁剪，同 Keras 的 clipnorm：" +
        "for p in params: clip_grad_norm_([p], max_norm)。",
      clipEachOptax: "optax 没有按每个张量自身范数裁剪的内置变换。",
      accumulateTorch: "对每个小批次调用 backward()，其损失为该小批次的损失之和除以整个批次的 token 数；" +
        "最后调用一次 opt.step()。",
      accumulateMean: "它对 K 个小批次的梯度取平均：把每个小批次的损失之和除以整个批次的 token 数，再乘以 K。",
      lrOptax: "学习率会变时，传入调度函数，或用 optax.inject_hyperparams 包装。",
      rescaleKeras: "每次改变学习率时，把 opt.momentums 中的每个变量乘以 新/旧：" +
        "Keras 的速度里含有学习率。",
      rescaleTorch: "每次改变学习率时，把每个 state['momentum_buffer'] 乘以 旧/新，以跟随 Keras 的速度。",
      noRescaleOptax: "optax 立即使用新的学习率；没有设置能跟随 Keras 的速度。",
      kerasEps: "Keras 在偏差校正之前把 ε 加到 √v 上，所以它的 ε 在另两者的形式里相当于 " +
        "ε / √(1 − β2^t)：只要 √v 远大于它，训练轨迹就完全一致。",
      amsgrad: "optax 的 AMSGrad 保留偏差校正后 v 的最大值；PyTorch 和 Keras 保留 v 的最大值，每步再校正。",
      nadamKeras: "Keras 的 Nadam 按 0.96^t 预热动量：即 PyTorch 的 momentum_decay=1。",
      nadamOptax: "optax 的 nadam 不预热：即 PyTorch 的 momentum_decay=inf。",
    },
  };

  class InputError extends Error {}

  function read(form, text) {
    const from = form.elements.from.value;
    const optimizer = form.elements.optimizer.value;
    const values = {};
    for (const [name, kind, fallback] of FIELDS[optimizer][from]) {
      const input = form.elements[name];
      if (kind === "c") values[name] = input.checked;
      else if (kind === "s") values[name] = input.value;
      else {
        const raw = input.value.trim();
        if (raw === "") values[name] = fallback;
        else if (/^(inf|infinity)$/i.test(raw) && name === "momentum_decay") values[name] = Infinity;
        else if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) {
          throw new InputError(text.number(name, raw));
        } else values[name] = Number(raw);
      }
    }
    if (form.elements.lr_changes) values.lr_changes = form.elements.lr_changes.checked;
    return { from, optimizer, values };
  }

  function check(value, name, ok, text, words) {
    if (value !== null && !ok(value)) throw new InputError(text.range(name, words));
  }

  // Computed settings without binary noise: 0.1 * (1 - 0.9) is written 0.01
  const tidy = (x) => Number(x.toPrecision(12));

  // The recipe in one vocabulary, from the source framework's settings.
  function recipe({ from, optimizer, values: v }, text) {
    const en = text === TEXT.en;
    const positive = en ? "above 0" : "大于 0";
    const unit = en ? "at least 0 and below 1" : "不小于 0 且小于 1";
    const nonNegative = en ? "at least 0" : "不小于 0";
    const lrName = from === "torch" ? "lr" : "learning_rate";
    if (v[lrName] === null) throw new InputError(text.required(lrName));
    check(v[lrName], lrName, (x) => x > 0 && Number.isFinite(x), text, positive);
    if (optimizer === "sgd") {
      const r = { lr: v[lrName], momentum: v.momentum ?? 0, nesterov: v.nesterov, from };
      check(r.momentum, "momentum", (x) => x >= 0 && x < 1, text, unit);
      // PyTorch ignores dampening without a momentum buffer
      r.dampening = r.momentum > 0 ? (v.dampening ?? 0) : 0;
      check(r.dampening, "dampening", (x) => x >= 0 && x < 1, text, unit);
      if (r.nesterov && (r.momentum <= 0 || r.dampening > 0)) throw new InputError(text.nesterov);
      if (from === "keras" && v.weight_decay && v.l2) throw new InputError(text.one("weight_decay", "l2"));
      if (from === "keras" && v.global_clipnorm && v.clipnorm) {
        throw new InputError(text.one("global_clipnorm", "clipnorm"));
      }
      const decayField = { torch: "weight_decay", keras: v.l2 ? "l2" : "weight_decay", optax: "add_decayed_weights" }[from];
      const decay = v[decayField];
      check(decay, decayField, (x) => x >= 0, text, nonNegative);
      r.decay = null;
      if (decay && (from === "torch" || decayField === "l2")) r.decay = { kind: "coupled", value: tidy(from === "torch" ? decay : 2 * decay) };
      if (decay && from === "keras" && decayField === "weight_decay") r.decay = { kind: "decoupled", value: decay };
      if (decay && from === "optax") r.decay = { kind: v.decay_position === "after" ? "decoupled" : "coupled", value: decay };
      const clipField = { torch: "clip_grad_norm", keras: v.clipnorm ? "clipnorm" : "global_clipnorm", optax: "clip_by_global_norm" }[from];
      const clip = v[clipField];
      check(clip, clipField, (x) => x > 0, text, positive);
      r.clip = clip ? { kind: clipField === "clipnorm" ? "tensor" : "global", value: clip } : null;
      const kField = { torch: "accumulate", keras: "gradient_accumulation_steps", optax: "multisteps" }[from];
      r.k = v[kField] || null;
      const steps = en ? "a whole number, at least 2" : "是不小于 2 的整数";
      check(r.k, kField, (x) => Number.isInteger(x) && x >= 2, text, steps);
      r.lrChanges = Boolean(v.lr_changes) && r.momentum > 0;  // no buffer, nothing to rescale
      return r;
    }
    const [, b1, b2, eps] = ADAM_KEYS[from];
    const r = { optimizer, from, lr: v[lrName], b1: v[b1], b2: v[b2], eps: v[eps] ?? 0 };
    check(r.b1, b1, (x) => x >= 0 && x < 1, text, unit);
    check(r.b2, b2, (x) => x >= 0 && x < 1, text, unit);
    check(r.eps, eps, (x) => x >= 0 && Number.isFinite(x), text, nonNegative);
    if (optimizer === "adamw" || optimizer === "lion") r.wd = v.weight_decay ?? 0;
    if (optimizer === "adam_l2") r.wd = from === "keras" ? tidy(2 * (v.l2 ?? 0)) : (v.weight_decay ?? v.add_decayed_weights ?? 0);
    if (r.wd !== undefined) check(r.wd, "weight_decay", (x) => x >= 0, text, nonNegative);
    r.amsgrad = Boolean(v.amsgrad);
    if (optimizer === "nadam") {
      r.psi = { torch: v.momentum_decay, keras: 1, optax: Infinity }[from];
      check(r.psi, "momentum_decay", (x) => x >= 0, text, nonNegative);
    }
    return r;
  }

  // {settings, exact, notes}: the settings in the target framework's words, as the porting
  // scripts write them (snippets/porting/_porting.py), whether they give the same run, and why not.
  function sgdTo(target, r, text) {
    const out = { exact: true, notes: [] };
    const lr = r.dampening > 0 && target !== "torch" ? tidy(r.lr * (1 - r.dampening)) : r.lr;
    if (r.dampening > 0 && target !== "torch") out.exact = false, out.notes.push(text.dampening);
    const common = { momentum: r.momentum, ...(r.nesterov ? { nesterov: true } : {}) };
    const decay = r.decay?.value;
    if (target === "torch") {
      const kwargs = { lr, ...common, ...(r.dampening > 0 ? { dampening: r.dampening } : {}) };
      const s = { optimizer: "SGD", kwargs };
      if (r.decay?.kind === "coupled") kwargs.weight_decay = decay;
      if (r.decay?.kind === "decoupled") s.decay_by_hand = decay, out.notes.push(text.decayByHand);
      if (r.clip?.kind === "global") s.clip_grad_norm = r.clip.value;
      if (r.clip?.kind === "tensor") s.clip_grad_norm_each = r.clip.value, out.notes.push(text.clipEach);
      if (r.k) s.accumulate = r.k, out.notes.push(text.accumulateTorch);
      if (r.lrChanges && r.from === "keras") {
        s.rescale_buffer_at_lr_change = true;
        out.notes.push(text.rescaleTorch);
      }
      return { ...out, settings: s };
    }
    if (target === "keras") {
      const kwargs = { learning_rate: lr, ...common };
      const s = { optimizer: "SGD", kwargs };
      if (r.decay?.kind === "decoupled") kwargs.weight_decay = decay;
      if (r.decay?.kind === "coupled") s.l2 = tidy(decay / 2), out.notes.push(text.l2);
      if (r.clip) kwargs[r.clip.kind === "global" ? "global_clipnorm" : "clipnorm"] = r.clip.value;
      if (r.k) kwargs.gradient_accumulation_steps = r.k, out.notes.push(text.accumulateMean);
      if (r.lrChanges && r.from !== "keras") {
        s.rescale_at_lr_change = true;
        out.notes.push(text.rescaleKeras);
      }
      return { ...out, settings: s };
    }
    const chain = [];
    if (r.clip?.kind === "global") chain.push(["clip_by_global_norm", { max_norm: r.clip.value }]);
    if (r.clip?.kind === "tensor") out.exact = false, out.notes.push(text.clipEachOptax);
    if (r.decay?.kind === "decoupled") {
      chain.push(["trace", { decay: r.momentum, ...(r.nesterov ? { nesterov: true } : {}) }]);
      chain.push(["add_decayed_weights", { weight_decay: decay }]);
      chain.push(["scale_by_learning_rate", { learning_rate: lr }]);
    } else {
      if (r.decay) chain.push(["add_decayed_weights", { weight_decay: decay }]);
      chain.push(["sgd", { learning_rate: lr, ...common }]);
    }
    const s = { chain };
    if (r.k) s.multisteps = r.k, out.notes.push(text.accumulateMean);
    if (r.lrChanges && r.from === "keras") out.exact = false, out.notes.push(text.noRescaleOptax);
    else if (r.lrChanges) out.notes.push(text.lrOptax);
    return { ...out, settings: s };
  }

  function adamTo(target, r, text) {
    const out = { exact: true, notes: [] };
    // Keras's Adam and AdamW add ε before the bias correction (its Nadam after, as the others)
    const keras = target === "keras" || r.from === "keras";
    if (keras && ["adamw", "adam_l2"].includes(r.optimizer)) {
      out.notes.push(text.kerasEps);
      if (r.eps > KERAS_EPS_SAME) out.exact = false;
    }
    const [lrKey, b1Key, b2Key, epsKey] = ADAM_KEYS[target];
    const betas = target === "torch" ? { betas: [r.b1, r.b2] } : { [b1Key]: r.b1, [b2Key]: r.b2 };
    const base = { [lrKey]: r.lr, ...betas };
    const withEps = { ...base, [epsKey]: r.eps };
    if (r.optimizer === "lion") {
      const kwargs = { ...base, weight_decay: r.wd };
      const name = target === "optax" ? "lion" : "Lion";
      return { ...out, settings: target === "optax" ? { chain: [[name, kwargs]] } : { optimizer: name, kwargs } };
    }
    if (r.optimizer === "nadam") {
      if (target === "torch") return { ...out, settings: { optimizer: "NAdam", kwargs: { ...withEps, momentum_decay: r.psi } } };
      if (target === "keras" && r.psi !== 1) out.exact = false, out.notes.push(text.nadamKeras);
      if (target === "optax" && r.psi !== Infinity) out.exact = false, out.notes.push(text.nadamOptax);
      const settings = target === "keras" ? { optimizer: "Nadam", kwargs: withEps } : { chain: [["nadam", withEps]] };
      return { ...out, settings };
    }
    if (r.optimizer === "adam_l2") {
      if (target === "torch") return { ...out, settings: { optimizer: "Adam", kwargs: { ...withEps, weight_decay: r.wd } } };
      if (target === "keras") {
        const s = { optimizer: "Adam", kwargs: withEps };
        if (r.wd) s.l2 = tidy(r.wd / 2), out.notes.push(text.l2);
        return { ...out, settings: s };
      }
      const chain = r.wd ? [["add_decayed_weights", { weight_decay: r.wd }]] : [];
      return { ...out, settings: { chain: [...chain, ["adam", withEps]] } };
    }
    // AdamW
    if ((target === "optax") !== (r.from === "optax") && r.amsgrad) {
      out.exact = false;
      out.notes.push(text.amsgrad);
    }
    if (target !== "optax") {
      const kwargs = { ...withEps, weight_decay: r.wd, ...(r.amsgrad ? { amsgrad: true } : {}) };
      return { ...out, settings: { optimizer: "AdamW", kwargs } };
    }
    if (!r.amsgrad) return { ...out, settings: { chain: [["adamw", { ...withEps, weight_decay: r.wd }]] } };
    const chain = [
      ["scale_by_amsgrad", { b1: r.b1, b2: r.b2, eps: r.eps }],
      ["add_decayed_weights", { weight_decay: r.wd }],
      ["scale_by_learning_rate", { learning_rate: r.lr }],
    ];
    return { ...out, settings: { chain } };
  }

  // Python for the settings: what a reader pastes.
  const py = (x) => (x === true ? "True" : x === false ? "False" : x === Infinity ? 'float("inf")'
    : Array.isArray(x) ? `(${x.map(py).join(", ")})` : String(x));
  const args = (kwargs) => Object.entries(kwargs).map(([k, x]) => `${k}=${py(x)}`).join(", ");

  function code(target, s) {
    if (target === "optax") {
      const calls = s.chain.map(([name, kwargs]) => `optax.${name}(${args(kwargs)})`);
      const tx = calls.length === 1 ? calls[0] : `optax.chain(\n    ${calls.join(",\n    ")},\n)`;
      if (!s.multisteps) return `tx = ${tx}`;
      const k = s.multisteps;
      return `tx = optax.MultiSteps(${tx}, every_k_schedule=${k})\n# loss of each micro-batch = ${k} × summed loss / tokens in the whole batch`;
    }
    const where = target === "keras" ? "keras.optimizers" : s.optimizer === "Lion" ? "lion_pytorch" : "torch.optim";
    const params = target === "torch" ? "params, " : "";
    const lines = [`opt = ${where}.${s.optimizer}(${params}${args(s.kwargs)})`];
    // what a training loop adds, with the numbers filled in: the code is the whole answer
    const lr = s.kwargs.lr;
    if (s.accumulate) lines.push(`# ${s.accumulate} micro-batches: loss = summed loss / tokens in the whole batch; backward() on each`);
    if (s.clip_grad_norm) lines.push(`torch.nn.utils.clip_grad_norm_(params, ${py(s.clip_grad_norm)})  # before opt.step()`);
    if (s.clip_grad_norm_each) lines.push(`for p in params:  # before opt.step()\n    torch.nn.utils.clip_grad_norm_([p], ${py(s.clip_grad_norm_each)})`);
    if (s.decay_by_hand) lines.push(`with torch.no_grad():  # before opt.step()\n    for p in params:\n        p.mul_(1 - ${py(lr)} * ${py(s.decay_by_hand)})`);
    if (s.rescale_buffer_at_lr_change) lines.push(`# at each change of lr: opt.state[p]["momentum_buffer"] *= old_lr / new_lr`);
    if (s.rescale_at_lr_change) lines.push(`# at each change of the learning rate: v.assign(v * new / old) for v in opt.momentums`);
    if (s.kwargs.gradient_accumulation_steps) lines.push(`# loss of each micro-batch = ${s.kwargs.gradient_accumulation_steps} × summed loss / tokens in the whole batch`);
    if (s.l2) lines.push(`# every layer: kernel_regularizer=keras.regularizers.L2(${py(s.l2)}), bias_regularizer=keras.regularizers.L2(${py(s.l2)})`);
    return lines.join("\n");
  }

  // JSON of the settings, with inf as the porting scripts' tests read it
  const json = (s) => JSON.stringify(s, (k, x) => (x === Infinity ? "inf" : x));

  function showFields(form) {
    const text = TEXT[form.dataset.lang] || TEXT.en;
    const from = form.elements.from.value;
    const optimizer = form.elements.optimizer.value;
    const box = form.querySelector(".converter-fields");
    box.replaceChildren();
    for (const [name, kind, fallback] of FIELDS[optimizer][from]) {
      const label = document.createElement("label");
      const title = document.createElement("code");
      title.textContent = { betas0: "betas[0]", betas1: "betas[1]", l2: "L2(l2)" }[name] || name;
      let input;
      if (kind === "s") {
        input = document.createElement("select");
        for (const where of ["before", "after"]) input.add(new Option(text[`decay_${where}`], where));
      } else {
        input = document.createElement("input");
        input.type = kind === "c" ? "checkbox" : "text";
        if (kind === "n") {
          input.inputMode = "decimal";
          input.autocomplete = "off";
          input.placeholder = fallback === null ? "" : String(fallback);
        }
      }
      input.name = name;
      label.append(title, " ", input);
      box.append(label);
    }
    if (optimizer === "sgd") {
      const label = document.createElement("label");
      const input = Object.assign(document.createElement("input"), { type: "checkbox", name: "lr_changes" });
      label.append(input, " ", text.lr_changes);
      box.append(label);
    }
  }

  function convert(form) {
    const text = TEXT[form.dataset.lang] || TEXT.en;
    const out = form.querySelector(".converter-out");
    out.replaceChildren();
    let r;
    try {
      r = recipe(read(form, text), text);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const p = Object.assign(document.createElement("p"), { className: "converter-error", textContent: err.message });
      out.append(p);
      return;
    }
    for (const target of Object.keys(NAMES)) {
      if (target === r.from) continue;
      const answer = r.optimizer ? adamTo(target, r, text) : sgdTo(target, r, text);
      const section = document.createElement("div");
      section.className = "converter-target";
      section.dataset.framework = target;
      section.dataset.settings = json(answer.settings);
      section.dataset.exact = String(answer.exact);
      const head = document.createElement("p");
      head.innerHTML = `<strong>${NAMES[target]}</strong> `;
      head.append(answer.exact ? text.same : text.nearest);
      const pre = document.createElement("pre");
      pre.append(Object.assign(document.createElement("code"), { textContent: code(target, answer.settings) }));
      section.append(head, pre);
      for (const note of answer.notes) section.append(Object.assign(document.createElement("p"), { textContent: note }));
      out.append(section);
    }
  }

  function start() {
    for (const form of document.querySelectorAll("form.converter")) {
      form.dataset.lang = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
      showFields(form);
      convert(form);
    }
  }

  // One listener for the document, for every converter on the page.
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form.converter");
    if (!form) return;
    if (event.target.name === "from" || event.target.name === "optimizer") showFields(form);
    convert(form);
  });
  document.addEventListener("submit", (event) => {
    if (event.target.matches("form.converter")) event.preventDefault();
  });
  if (window.document$) window.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
