using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Settings read from one configuration section and checked before the process serves anything. Every number and time of a
/// settings type states its bounds with <c>[Range]</c> (a test finds one that does not), a required text with
/// <c>[Required]</c>; a value outside them stops the process at start with a line naming its key (<c>Section:Name</c>, a
/// nested object's <c>Section:Object:Name</c>) and its bounds. A rule between settings is the caller's own
/// <c>Validate</c> on the builder this returns.
/// </summary>
public static class Settings
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and refuses, at start, every value outside its stated bounds.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new Checked<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// <typeparamref name="T"/> read from <paramref name="section"/> while the process is being built (what configures the
    /// server itself, before any service is resolved); a value outside its rules stops the process there, naming its key.
    /// </summary>
    public static T Read<T>(this IConfiguration configuration, string section)
        where T : class, new()
    {
        var settings = configuration.GetSection(section).Get<T>() ?? new T();
        return Problems(settings, section).ToList() is { Count: > 0 } problems
            ? throw new InvalidOperationException(string.Join(" ", problems))
            : settings;
    }

    /// <summary>
    /// Every setting of <paramref name="type"/> read from <paramref name="section"/> that states a rule, nested objects' too
    /// (a property whose type is a class of WardLink's own), with its key.
    /// </summary>
    public static IEnumerable<Setting> Of(Type type, string section) =>
        Properties(type).SelectMany(property => IsNested(property.PropertyType)
            ? Of(property.PropertyType, $"{section}:{property.Name}").Select(setting => setting with { Path = [property, .. setting.Path] })
            : property.GetCustomAttributes<ValidationAttribute>().Select(rule => new Setting($"{section}:{property.Name}", [property], rule)));

    /// <summary>Every public property of <paramref name="type"/> a configuration sets (settable, not an indexer).</summary>
    public static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite && property.GetIndexParameters().Length == 0);

    /// <summary>Whether a property of this type is a nested object of settings (a class of WardLink's own), not a value.</summary>
    public static bool IsNested(Type type) =>
        type.IsClass && type.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true;

    /// <summary>The problems of <paramref name="options"/> read from <paramref name="section"/>: one line per setting outside its rule.</summary>
    public static IEnumerable<string> Problems(object options, string section) =>
        Of(options.GetType(), section)
            .Select(setting => (setting, value: setting.ValueIn(options)))
            .Where(read => !read.setting.Rule.IsValid(read.value))
            .Select(read => read.setting.Problem(read.value));

    /// <summary>A value as a configuration writes it: a time as <c>[-][d.]hh:mm:ss[.fffffff]</c>, its fraction's trailing zeros left out.</summary>
    public static string Text(object? value) => value switch
    {
        TimeSpan time when time.ToString("c", CultureInfo.InvariantCulture) is var text && text.LastIndexOf('.') > text.LastIndexOf(':') => text.TrimEnd('0'),
        TimeSpan time => time.ToString("c", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "not set",
    };

    /// <summary>One setting's key, the properties that lead to it from its settings type, and the rule it states.</summary>
    public sealed record Setting(string Key, IReadOnlyList<PropertyInfo> Path, ValidationAttribute Rule)
    {
        public Type Type => Path[^1].PropertyType;

        public object? ValueIn(object options) =>
            Path.Aggregate<PropertyInfo, object?>(options, (holder, property) => holder is null ? null : property.GetValue(holder));

        /// <summary>What is wrong with <paramref name="value"/>, naming the key.</summary>
        public string Problem(object? value) => Rule switch
        {
            RangeAttribute range => $"{Key} is {Text(value)}: it must be {Bounds(range)}.",
            AllowedValuesAttribute allowed => $"{Key} is '{Text(value)}': it must be one of {string.Join(", ", allowed.Values.Select(Text))}.",
            _ => Rule.FormatErrorMessage(Key),
        };

        /// <summary>The bounds of a <c>[Range]</c> as an operator reads them: <c>at least 1</c>, <c>at least 00:00:00.001 and at most 00:10:00</c>.</summary>
        private static string Bounds(RangeAttribute range)
        {
            var least = $"{(range.MinimumIsExclusive ? "more than" : "at least")} {Text(range.Minimum)}";
            return range.Maximum is int.MaxValue or long.MaxValue ? least : $"{least} and {(range.MaximumIsExclusive ? "less than" : "at most")} {Text(range.Maximum)}";
        }
    }

    private sealed class Checked<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            Problems(options, section).ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
