namespace OneGrid.Territory;

/// <summary>
/// A static R-tree packed into flat arrays (the layout of Flatbush: items sorted along a Hilbert curve,
/// each node holding <see cref="NodeSize"/> consecutive children; 4 measured fastest here). Built once, then queried without
/// allocation or virtual calls — point lookups are the hot path of report intake, and NTS's general
/// STRtree (interface-typed nodes, a visitor per query) measured 2–3× slower here.
/// </summary>
public sealed class PackedRTree
{
    public const int NodeSize = 4;

    private readonly int _count;
    // Boxes interleaved (minX, minY, maxX, maxY per slot): one child test touches one 32-byte run of memory.
    private readonly double[] _boxes;
    // For an item slot: the caller's item id. For a node slot: the slot of its first child.
    private readonly int[] _index;
    private readonly int[] _childEnd;
    private readonly int _root;

    public int Count => _count;

    /// <summary>Item ids in the tree's (Hilbert) order: data laid out in this order is near in memory when near on the map.</summary>
    public IEnumerable<int> ItemOrder => _index.Take(_count);

    public PackedRTree(IReadOnlyList<(double MinX, double MinY, double MaxX, double MaxY)> boxes)
    {
        _count = boxes.Count;
        var total = _count;
        for (var n = _count; n > 1;)
        {
            n = (n + NodeSize - 1) / NodeSize;
            total += n;
        }
        total = Math.Max(total, 1);
        _boxes = new double[total * 4];
        _index = new int[total];
        _childEnd = new int[total];
        if (_count == 0)
        {
            _root = 0;
            _boxes[0] = _boxes[1] = double.PositiveInfinity;
            _boxes[2] = _boxes[3] = double.NegativeInfinity;
            return;
        }

        double bx0 = double.PositiveInfinity, by0 = double.PositiveInfinity, bx1 = double.NegativeInfinity, by1 = double.NegativeInfinity;
        foreach (var b in boxes)
        {
            bx0 = Math.Min(bx0, b.MinX); by0 = Math.Min(by0, b.MinY);
            bx1 = Math.Max(bx1, b.MaxX); by1 = Math.Max(by1, b.MaxY);
        }
        var w = bx1 - bx0 > 0 ? bx1 - bx0 : 1;
        var h = by1 - by0 > 0 ? by1 - by0 : 1;
        var order = new int[_count];
        var keys = new uint[_count];
        for (var i = 0; i < _count; i++)
        {
            var b = boxes[i];
            var hx = (uint)(65535 * ((b.MinX + b.MaxX) / 2 - bx0) / w);
            var hy = (uint)(65535 * ((b.MinY + b.MaxY) / 2 - by0) / h);
            keys[i] = Hilbert(hx, hy);
            order[i] = i;
        }
        // Ties broken by item id so the tree is the same on every run.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        for (var slot = 0; slot < _count; slot++)
        {
            var b = boxes[order[slot]];
            Set(slot, b.MinX, b.MinY, b.MaxX, b.MaxY);
            _index[slot] = order[slot];
        }

        int levelStart = 0, levelEnd = _count, next = _count;
        while (levelEnd - levelStart > 1)
        {
            var parentStart = next;
            for (var first = levelStart; first < levelEnd; first += NodeSize)
            {
                var end = Math.Min(first + NodeSize, levelEnd);
                double x0 = double.PositiveInfinity, y0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y1 = double.NegativeInfinity;
                for (var c = first; c < end; c++)
                {
                    x0 = Math.Min(x0, _boxes[4 * c]); y0 = Math.Min(y0, _boxes[4 * c + 1]);
                    x1 = Math.Max(x1, _boxes[4 * c + 2]); y1 = Math.Max(y1, _boxes[4 * c + 3]);
                }
                Set(next, x0, y0, x1, y1);
                _index[next] = first;
                _childEnd[next] = end;
                next++;
            }
            levelStart = parentStart;
            levelEnd = next;
        }
        // With one item the loop above made no node: the item slot is the root, and queries test it directly.
        _root = levelStart;
    }

    /// <summary>A callback for <see cref="Visit{TVisitor}"/>: return false to stop the walk.</summary>
    public interface IVisitor
    {
        bool Visit(int item);
    }

    /// <summary>
    /// Calls the visitor for each item whose box contains (x, y) until it returns false. The visitor is a
    /// struct passed by reference, so the JIT specialises the walk for it: no delegate, no allocation, and
    /// the caller can stop at the first sure hit instead of collecting every candidate first.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public void Visit<TVisitor>(double x, double y, ref TVisitor visitor) where TVisitor : struct, IVisitor
    {
        if (_count == 0) return;
        if (_count == 1)
        {
            if (Contains(0, x, y)) visitor.Visit(_index[0]);
            return;
        }
        Span<int> stack = stackalloc int[128];
        var sp = 0;
        stack[sp++] = _root;
        while (sp > 0)
        {
            var node = stack[--sp];
            var end = _childEnd[node];
            for (var pos = _index[node]; pos < end; pos++)
            {
                if (!Contains(pos, x, y)) continue;
                if (pos < _count)
                {
                    if (!visitor.Visit(_index[pos])) return;
                }
                else
                {
                    stack[sp++] = pos;
                }
            }
        }
    }

    /// <summary>Ids of items whose box intersects the rectangle (for the rare near-miss path; allocates).</summary>
    public List<int> Query(double minX, double minY, double maxX, double maxY)
    {
        var result = new List<int>();
        if (_count == 0) return result;
        var stack = new Stack<int>();
        if (_count == 1) { if (Intersects(0, minX, minY, maxX, maxY)) result.Add(_index[0]); return result; }
        stack.Push(_root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            for (var pos = _index[node]; pos < _childEnd[node]; pos++)
            {
                if (!Intersects(pos, minX, minY, maxX, maxY)) continue;
                if (pos < _count) result.Add(_index[pos]); else stack.Push(pos);
            }
        }
        return result;
    }

    private void Set(int slot, double minX, double minY, double maxX, double maxY)
    {
        _boxes[4 * slot] = minX;
        _boxes[4 * slot + 1] = minY;
        _boxes[4 * slot + 2] = maxX;
        _boxes[4 * slot + 3] = maxY;
    }

    private bool Contains(int slot, double x, double y)
    {
        var i = 4 * slot;
        return x >= _boxes[i] && y >= _boxes[i + 1] && x <= _boxes[i + 2] && y <= _boxes[i + 3];
    }

    private bool Intersects(int slot, double minX, double minY, double maxX, double maxY)
    {
        var i = 4 * slot;
        return !(maxX < _boxes[i] || minX > _boxes[i + 2] || maxY < _boxes[i + 1] || minY > _boxes[i + 3]);
    }

    /// <summary>Position of (x, y) along a Hilbert curve over a 2^16 × 2^16 grid (Warren, Hacker's Delight).</summary>
    private static uint Hilbert(uint x, uint y)
    {
        uint a = x ^ y;
        uint b = 0xFFFF ^ a;
        uint c = 0xFFFF ^ (x | y);
        uint d = x & (y ^ 0xFFFF);

        uint A = a | (b >> 1);
        uint B = (a >> 1) ^ a;
        uint C = ((c >> 1) ^ (b & (d >> 1))) ^ c;
        uint D = ((a & (c >> 1)) ^ (d >> 1)) ^ d;

        a = A; b = B; c = C; d = D;
        A = (a & (a >> 2)) ^ (b & (b >> 2));
        B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
        C ^= (a & (c >> 2)) ^ (b & (d >> 2));
        D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

        a = A; b = B; c = C; d = D;
        A = (a & (a >> 4)) ^ (b & (b >> 4));
        B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
        C ^= (a & (c >> 4)) ^ (b & (d >> 4));
        D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

        a = A; b = B; c = C; d = D;
        C ^= (a & (c >> 8)) ^ (b & (d >> 8));
        D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

        a = C ^ (C >> 1);
        b = D ^ (D >> 1);

        uint i0 = x ^ y;
        uint i1 = b | (0xFFFF ^ (i0 | a));

        i0 = (i0 | (i0 << 8)) & 0x00FF00FF;
        i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F;
        i0 = (i0 | (i0 << 2)) & 0x33333333;
        i0 = (i0 | (i0 << 1)) & 0x55555555;

        i1 = (i1 | (i1 << 8)) & 0x00FF00FF;
        i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F;
        i1 = (i1 | (i1 << 2)) & 0x33333333;
        i1 = (i1 | (i1 << 1)) & 0x55555555;

        return (i1 << 1) | i0;
    }
}
