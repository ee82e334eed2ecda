/**
 * The expression language of derived features and on-demand views: parsing, canonical rendering
 * and static typing.
 *
 * <p>{@link dev.quiver.core.expr.ExpressionParser#parse(String)} turns text such as {@code
 * request.amount / nullif(user_txn.amount_avg_30d, 0)} into an {@link
 * dev.quiver.core.expr.Expression}, a tree of immutable records that code interprets with a {@code
 * switch}; {@link dev.quiver.core.expr.Expression#render()} prints its canonical text, so that two
 * definitions differing only in whitespace or keyword case are recognised as the same; {@link
 * dev.quiver.core.expr.Expression#references()} lists the names it reads, for dependency order and
 * cycle detection; and {@link dev.quiver.core.expr.ExpressionTypeChecker} works out its {@link
 * dev.quiver.core.model.ValueType}. Every failure is an {@link
 * dev.quiver.core.expr.ExpressionException} with a message saying what to write instead.
 *
 * <p>The built-in functions are defined once, in a package-private table that the parser, the type
 * checker and the evaluator share. The language, its typing rules and its null semantics are
 * described in {@code docs/expressions.md}.
 */
package dev.quiver.core.expr;
