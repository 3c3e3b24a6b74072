namespace BuildConvert.Validation;
internal static class Placeholder { }
