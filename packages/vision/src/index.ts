// @pq/vision: image models on @pq/nn with torchvision's structure and state-dict names, and
// torchvision's image decoding and transforms (the ImageFolder reader is @pq/vision/node).
export {
  ResNet, BasicBlock, Bottleneck, ResidualBlock, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d,
  wide_resnet50_2, wide_resnet101_2, resnet, RESNET_ARCHS, type ResNetName, type ResNetArch, type ResNetOptions, type BlockClass,
  type BlockOptions, type NormLayer,
} from './resnet.js';
export {
  MobileNetV2, InvertedResidual, Conv2dNormActivation, mobilenet_v2, makeDivisible, type MobileNetV2Options,
  type Conv2dNormActivationOptions, type InvertedResidualSetting,
} from './mobilenet.js';
export {
  VisionTransformer, Encoder, EncoderBlock, MLPBlock, vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14, vit_tiny, VIT_ARCHS, VIT_TINY_DEFAULTS,
  type VisionTransformerOptions, type VitOptions, type VitName, type VitNormLayer,
} from './vit.js';
export { createModel, MODEL_NAMES, type ModelName, type CreateModelOptions } from './models.js';
export {
  type RgbImage, type ImageFormat, type DecodeImageOptions, DEFAULT_MAX_PIXELS, ImageDecodeError, decodeImage, imageFormat,
} from './data/image.js';
export {
  IMAGENET_MEAN, IMAGENET_STD, type UniformSource, type ClassificationTransformOptions, resize, resizedSize, crop, centerCrop, hflip,
  toNormalizedTensor, randomResizedCropParams, classificationEvalTransform, classificationTrainTransform,
} from './data/transforms.js';
