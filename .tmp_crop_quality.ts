import sharp from "sharp";
const [file, l, t, w, h, out] = Deno.args;
const img = sharp(file); const m = await img.metadata();
const L = Math.round(+l * m.width!), T = Math.round(+t * m.height!), W = Math.round(+w * m.width!), H = Math.round(+h * m.height!);
await sharp(file).extract({ left: L, top: T, width: W, height: H }).resize({ width: 800 }).png().toFile(out);
