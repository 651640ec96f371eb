namespace OneGrid.Territory.Import;

public enum ImportProblemKind
{
    Format,
    DuplicateCode,
    UnknownParent,
    WrongParentLevel,
    UnknownUnit,
    InvalidGeometry,
    Overlap,
    OutsideParent,
    Gap,
    /// <summary>A value that names none of the kinds the data holds (an inspection target's kind).</summary>
    UnknownKind,
    /// <summary>A point in no grid of the territory.</summary>
    OutsideTerritory,
}

/// <summary>One thing wrong with an import file, located by line or feature and by unit code.</summary>
public sealed record ImportProblem(ImportProblemKind Kind, int? Line, string? Code, string MessageZh, string MessageEn)
{
    public string Message => Kernel.Text.Pick(MessageZh, MessageEn);

    public override string ToString() =>
        $"{(Line is { } l ? $"#{l} " : "")}{(Code is null ? "" : Code + ": ")}{Kind}: {Message}";
}
