using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using MassTransit;
using WardLink.Contracts.Partners;

namespace WardLink.UnitTests.Contracts;

/// <summary>
/// Partner services depend on the shape of every published contract. This test fails when a
/// contract changes by accident: a changed message is a new type with a new URN version.
/// To accept a deliberate change, copy contracts.received.txt over contracts.approved.txt.
/// </summary>
public sealed partial class ContractSnapshotTests
{
    private static readonly Assembly Contracts = typeof(SiteRegistered).Assembly;

    [Fact]
    public void Every_published_contract_keeps_its_shape()
    {
        var approvedPath = PathBeside("contracts.approved.txt");
        var receivedPath = PathBeside("contracts.received.txt");
        var described = Describe();

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : string.Empty;
        if (approved != described)
        {
            File.WriteAllText(receivedPath, described);
            Assert.Fail($"The contracts changed. Compare {receivedPath} with {approvedPath}; if the change is deliberate " +
                "(and versioned as a new URN where it breaks consumers), copy the received file over the approved one.");
        }

        File.Delete(receivedPath);
    }

    [Fact]
    public void Every_message_has_a_stable_versioned_urn_of_its_own()
    {
        var urns = Messages().Select(type => type.GetCustomAttribute<MessageUrnAttribute>()?.Urn.ToString()).ToList();

        Assert.NotEmpty(urns);
        Assert.All(urns, urn => Assert.Matches(UrnPattern(), urn));
        Assert.Equal(urns.Count, urns.Distinct().Count());
    }

    /// <summary>The records of the contracts: the messages, and the records they carry (a place); not the attributes that document them.</summary>
    private static IEnumerable<Type> Records() =>
        Contracts.GetExportedTypes().Where(type => type.IsClass && !type.IsAbstract && !type.IsAssignableTo(typeof(Attribute))).OrderBy(type => type.FullName, StringComparer.Ordinal);

    /// <summary>Every record no other record carries is a message, and must have its own versioned URN.</summary>
    private static IEnumerable<Type> Messages()
    {
        var carried = Records().SelectMany(type => type.GetProperties()).Select(property => property.PropertyType).ToHashSet();
        return Records().Where(type => !carried.Contains(type));
    }

    private static string Describe()
    {
        var text = new StringBuilder();
        foreach (var type in Records())
        {
            text.Append(type.FullName).Append(" = ").AppendLine(type.GetCustomAttribute<MessageUrnAttribute>()?.Urn.ToString() ?? "(no urn)");
            foreach (var property in type.GetProperties().OrderBy(property => property.MetadataToken))
            {
                text.Append("  ").Append(property.Name).Append(": ").AppendLine(NameOf(property.PropertyType));
            }
        }

        foreach (var type in Contracts.GetExportedTypes().Where(type => type.IsEnum).OrderBy(type => type.FullName, StringComparer.Ordinal))
        {
            text.Append(type.FullName).Append(" = enum ").AppendLine(string.Join(", ", Enum.GetNames(type)));
        }

        return text.ToString();
    }

    private static string NameOf(Type type) => Nullable.GetUnderlyingType(type) is { } underlying
        ? NameOf(underlying) + "?"
        : type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(NameOf))}>"
            : type.FullName ?? type.Name;

    private static string PathBeside(string fileName, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, fileName);

    [GeneratedRegex("^urn:message:wardlink:[a-z]+:[a-z-]+:v[0-9]+$")]
    private static partial Regex UrnPattern();
}
