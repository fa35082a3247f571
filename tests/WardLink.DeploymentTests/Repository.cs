using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace WardLink.DeploymentTests;

/// <summary>The deployment files of this repository, read as the tools read them.</summary>
public static class Repository
{
    private static readonly IDeserializer YamlReader = new DeserializerBuilder().Build();

    private static readonly ISerializer Json = new SerializerBuilder().JsonCompatible().Build();

    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every document of a YAML file (anchors and <c>&lt;&lt;</c> merges resolved), as JSON; scalars stay strings.</summary>
    public static IReadOnlyList<JsonObject> YamlDocuments(string relative) => [.. Yaml(Read(relative)).Select(document => document.AsObject())];

    /// <summary>Every document of a YAML text, as <see cref="YamlDocuments"/> reads a file's, whatever its shape (a mapping, a list).</summary>
    public static IReadOnlyList<JsonNode> Yaml(string text)
    {
        using var reader = new StringReader(text);
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<JsonNode>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (YamlReader.Deserialize(parser) is { } document)
            {
                documents.Add(JsonNode.Parse(Json.Serialize(document))!);
            }
        }

        return documents;
    }

    public static JsonObject JsonFile(string relative) => JsonNode.Parse(Read(relative), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();

    private static string FindRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));
}
