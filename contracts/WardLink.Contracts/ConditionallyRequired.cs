namespace WardLink.Contracts;

/// <summary>
/// A request property that may be left out but while another property of the same record (<see cref="Property"/>, by its C#
/// name) is as the attribute says, when the service refuses it missing or null: the OpenAPI documents state it as
/// <c>if</c> (that condition) / <c>then</c> (this property given, not null). Declared here, beside the records that need them
/// (<see cref="Place"/>); the services' documents read them (<c>ApiDescription</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public abstract class ConditionallyRequiredAttribute(string property) : Attribute
{
    public string Property { get; } = property;
}

/// <summary>Required while the other property is <paramref name="value"/> (an enum's value: a hotline's number).</summary>
public sealed class RequiredWhenAttribute(string property, object value) : ConditionallyRequiredAttribute(property)
{
    public object Value { get; } = value;
}

/// <summary>Required while the other property is given, not null (a latitude beside a longitude).</summary>
public sealed class RequiredWithAttribute(string property) : ConditionallyRequiredAttribute(property);

/// <summary>Required while the other property is left out or null (a shift's route where it names no schedule).</summary>
public sealed class RequiredWithoutAttribute(string property) : ConditionallyRequiredAttribute(property);

/// <summary>
/// A text the service refuses empty or blank, of a record the documents also show in answers (a route's checkpoint, a
/// shift's member), where the rule for a request's required texts does not reach it: the documents state <c>minLength</c> 1
/// and a character that is not white space.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotBlankAttribute : Attribute;

/// <summary>
/// A request record the service refuses unless one of <see cref="Properties"/> (by their C# names) is given, not null, a
/// text not blank (a place's site, description or coordinates), a number at least <see cref="AtLeast"/> where it is set
/// (a residence check's counts, each 0 by default, one at least 1): the OpenAPI documents state it as <c>anyOf</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AnyOfGivenAttribute(params string[] properties) : Attribute
{
    public IReadOnlyList<string> Properties { get; } = properties;

    /// <summary>The least a number given must be for the record to be taken; none: any number.</summary>
    public int AtLeast { get; init; } = int.MinValue;
}
