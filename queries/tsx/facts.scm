; inherits: typescript
; TSX is TypeScript with JSX; JSX expressions are evaluated generically.
