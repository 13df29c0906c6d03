import LossLanguage

/// Addressing nodes of a tree by their pre-order index, for mutation and crossover.
extension Expr {
    /// Every subtree in pre-order (the root first), with its depth below the root (root: 0).
    var subtrees: [(expr: Expr, level: Int)] {
        var out: [(Expr, Int)] = []
        func walk(_ e: Expr, _ level: Int) {
            out.append((e, level))
            switch e {
            case .input, .constant: break
            case .unary(_, let a): walk(a, level + 1)
            case .binary(_, let a, let b):
                walk(a, level + 1)
                walk(b, level + 1)
            }
        }
        walk(self, 0)
        return out
    }

    /// The tree with the subtree at pre-order `index` replaced by `replacement`.
    func replacing(at index: Int, with replacement: Expr) -> Expr {
        var counter = 0
        func walk(_ e: Expr) -> Expr {
            let mine = counter
            // Subtrees wholly before or after the target are kept as they are.
            if mine > index || mine + e.size <= index {
                counter += e.size
                return e
            }
            counter += 1
            if mine == index {
                counter += e.size - 1
                return replacement
            }
            switch e {
            case .input, .constant: return e
            case .unary(let op, let a): return .unary(op, walk(a))
            case .binary(let op, let a, let b):
                let na = walk(a)
                return .binary(op, na, walk(b))
            }
        }
        return walk(self)
    }
}
