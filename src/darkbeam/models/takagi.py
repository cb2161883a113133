"""Takagi factorisation of a complex symmetric (Majorana) mass matrix, stable across large hierarchies.

Convention (docs/massmodel.md): the Majorana mass term of the left-handed fields n = (nu_alpha, N, nu_D)
is -(1/2) n^T C^-1 M n + h.c. with M complex symmetric; the mass eigenstates nu_i are n = U nu with U
unitary and

    U^T M U = diag(m_1, ..., m_n),  m_i >= 0,   equivalently   M = U^* diag(m) U^dagger.

The columns of U are fixed up to a sign where the masses are distinct (up to a unitary rotation of a
degenerate block).  For a *real* M the real orthogonal diagonalisation O^T M O = diag(lambda) with
signed eigenvalues lambda_i is also returned: U = O diag(eta_i^(1/2)) with eta_i = sign(lambda_i)
(a negative eigenvalue means a column i * O_i, a Majorana CP parity -1).

Numerics.  A direct SVD or eigensolver has absolute errors ~ 1e-16 ||M||: a light mass m_nu = m_D^2/M
of a seesaw with m_nu/M ~ 1e-12 would keep only ~4 digits.  :func:`mass_eigensystem` therefore first
block-diagonalises M into its light (first ``n_light`` states) and heavy blocks with the exact
unitary of Grimus and Lavoura, JHEP 11 (2000) 042, hep-ph/0007011, eqs. (2)-(7):

    W = [[ (1 + B B^dag)^(-1/2),          B (1 + B^dag B)^(-1/2) ],
         [ -B^dag (1 + B B^dag)^(-1/2),   (1 + B^dag B)^(-1/2)   ]],

unitary for any B, which block-diagonalises M = [[m_L, m_D],[m_D^T, M_R]] when

    m_L B + m_D - B^* m_D^T B - B^* M_R = 0     (the upper-right block of W^T M W),

solved here by the fixed-point iteration B^* <- (m_L B + m_D - B^* m_D^T B) M_R^-1 (a contraction with
factor ~ ||m_D M_R^-1||, converging to machine precision in a few steps).  The light block
W^T M W|_LL is then a sum of terms of order m_D^2/M_R without cancellations of O(M_R), so each block
is diagonalised with its own relative precision.  Where the hierarchy is absent (||m_D M_R^-1|| >
0.5, or M_R singular) the whole matrix is factorised directly (then there is no precision to lose).

Takagi of one block: from the SVD M = V S X^dag, symmetry gives X^* = V Z with Z unitary, symmetric
and block diagonal on degenerate singular values; U^* = V Z^(1/2) with the symmetric square root
Z^(1/2) = O e^(i Theta/2) O^T (Z = O e^(i Theta) O^T, O real orthogonal: the real and imaginary parts
of a symmetric unitary matrix commute).  For a real symmetric block the orthogonal eigenvectors are
used directly (signed eigenvalues, then the phases above).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkbeam.errors import ParameterError

#: relative size of ||m_D M_R^-1|| below which the seesaw block diagonalisation is used
BLOCK_RATIO_MAX = 0.5


@dataclass(frozen=True)
class Eigensystem:
    """masses (>= 0, ascending within the light and the heavy states, light first), U (n x n unitary,
    M = U^* diag(masses) U^dagger), and for a real M: ``signed`` (the real eigenvalues eta_i m_i) and
    ``orthogonal`` (O real, M = O diag(signed) O^T); None for a complex M."""

    masses: np.ndarray
    U: np.ndarray
    signed: np.ndarray | None
    orthogonal: np.ndarray | None
    method: str


def _check_symmetric(M: np.ndarray) -> np.ndarray:
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
        raise ParameterError(f"a mass matrix must be square, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ParameterError("the mass matrix has non-finite entries")
    scale = np.max(np.abs(M)) if M.size else 0.0
    if np.max(np.abs(M - M.T), initial=0.0) > 1e-12 * max(scale, 1e-300):
        raise ParameterError("a Majorana mass matrix must be symmetric (M = M^T)")
    return 0.5 * (M + M.T)


def _real_block(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signed eigenvalues ordered by |lambda| and real orthogonal O (M = O diag O^T)."""
    lam, O = np.linalg.eigh(M)
    order = np.argsort(np.abs(lam), kind="stable")
    lam, O = lam[order], O[:, order]
    # sign convention: the largest component of each column positive (a reproducible choice)
    idx = np.argmax(np.abs(O), axis=0)
    s = np.sign(O[idx, np.arange(O.shape[1])])
    s[s == 0] = 1.0
    return lam, O * s


def _symmetric_sqrt_unitary(Z: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric unitary matrix (module docstring)."""
    if Z.shape == (1, 1):
        return np.sqrt(Z.astype(complex))
    # real and imaginary parts are commuting real symmetric matrices: diagonalise a generic combination
    A, B = Z.real, Z.imag
    _, O = np.linalg.eigh(A + np.pi / 7.0 * B)
    d = np.diag(O.T @ Z @ O)
    return O @ np.diag(np.sqrt(d / np.abs(d))) @ O.T


def _complex_block(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Takagi of a complex symmetric block: masses ascending, U with M = U^* diag U^dagger."""
    V, s, Xh = np.linalg.svd(M)
    order = np.argsort(s, kind="stable")
    s, V, Xh = s[order], V[:, order], Xh[order, :]
    X = Xh.conj().T
    Tcols = np.empty_like(V, dtype=complex)
    scale = max(float(s[-1]), 1e-300)
    i = 0
    n = len(s)
    while i < n:
        j = i + 1
        while j < n and abs(s[j] - s[i]) <= 1e-10 * scale:
            j += 1
        Vb, Xb = V[:, i:j], X[:, i:j]
        if s[i] <= 1e-14 * scale:  # null space: any orthonormal basis of it is a Takagi basis
            Tcols[:, i:j] = Vb
        else:
            Z = Vb.conj().T @ Xb.conj()  # X^* = V Z
            Tcols[:, i:j] = Vb @ _symmetric_sqrt_unitary(0.5 * (Z + Z.T))
        i = j
    # M = T diag(s) T^T with T = Tcols; our U = T^*
    return s, Tcols.conj()


def _block(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    if np.iscomplexobj(M) and np.any(M.imag != 0):
        m, U = _complex_block(M)
        return m, U, None, None
    lam, O = _real_block(np.real(M).astype(float))
    phase = np.where(lam < 0, 1j, 1.0)
    return np.abs(lam), O * phase[None, :], lam, O


def _inv_sqrt_herm(H: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(H)
    return (V / np.sqrt(w)[None, :]) @ V.conj().T


def block_diagonaliser(M: np.ndarray, n_light: int, *, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray] | None:
    """(W, B) of Grimus-Lavoura (module docstring) for the split after ``n_light`` states, or None
    where the seesaw expansion does not apply (M_R singular, ||m_D M_R^-1|| > BLOCK_RATIO_MAX or no
    convergence)."""
    n = M.shape[0]
    if not 0 < n_light < n:
        return None
    mL, mD, MR = M[:n_light, :n_light], M[:n_light, n_light:], M[n_light:, n_light:]
    try:
        cond = np.linalg.cond(MR)
        if not np.isfinite(cond) or cond > 1e12:
            return None
        MRinv = np.linalg.inv(MR)
    except np.linalg.LinAlgError:
        return None
    inv_norm = np.linalg.norm(MRinv, 2)
    if np.linalg.norm(mD, 2) * inv_norm > BLOCK_RATIO_MAX or np.linalg.norm(mL, 2) * inv_norm > BLOCK_RATIO_MAX:
        return None
    complex_ = np.iscomplexobj(M)
    Bc = mD @ MRinv  # B^*
    for _ in range(max_iter):
        B = Bc.conj()
        new = (mL @ B + mD - Bc @ mD.T @ B) @ MRinv
        if np.max(np.abs(new - Bc), initial=0.0) <= 1e-17 * max(np.max(np.abs(new)), 1e-300):
            Bc = new
            break
        Bc = new
    else:
        return None
    B = Bc.conj()
    if not complex_:
        B = B.real
    Bh = B.conj().T
    nl, nh = n_light, n - n_light
    P = _inv_sqrt_herm(np.eye(nl) + B @ Bh)
    Q = _inv_sqrt_herm(np.eye(nh) + Bh @ B)
    W = np.block([[P, B @ Q], [-Bh @ P, Q]])
    return (W.real if not complex_ else W), B


#: smallest ratio of row scales at which a split into light and heavy blocks is tried
GAP_MIN = 8.0


def _combine(parts, n, complex_):
    """Block results [(indices, masses, U, signed, O)] into one system, columns sorted by mass."""
    masses = np.concatenate([p[1] for p in parts])
    U = np.zeros((n, n), dtype=complex)
    real = all(p[3] is not None for p in parts) and not complex_
    O = np.zeros((n, n)) if real else None
    col = 0
    for idx, m, Ub, lam, Ob in parts:
        k = len(m)
        U[np.ix_(idx, np.arange(col, col + k))] = Ub
        if real:
            O[np.ix_(idx, np.arange(col, col + k))] = Ob
        col += k
    signed = np.concatenate([p[3] for p in parts]) if real else None
    return masses, U, signed, O


def _blocks_of(M, W, B, k):
    """The light (first k) and heavy blocks of W^T M W from their closed forms (module docstring)."""
    mL, mD, MR = M[:k, :k], M[:k, k:], M[k:, k:]
    Bh, Bc = B.conj().T, B.conj()
    P, Q = W[:k, :k], W[k:, k:]
    light = P.T @ (mL - mD @ Bh - Bc @ mD.T + Bc @ MR @ Bh) @ P
    heavy = Q.T @ (MR + B.T @ mD + mD.T @ B + B.T @ mL @ B) @ Q
    return 0.5 * (light + light.T), 0.5 * (heavy + heavy.T)


def _solve(M, depth=0):
    """(masses ascending, U, signed, O, blocks used): exact zero rows split off, then the largest gap in row
    scales that block-diagonalises, recursively; the direct factorisation where none does."""
    n = M.shape[0]
    complex_ = np.iscomplexobj(M)
    rn = np.max(np.abs(M), axis=1)
    zero = np.flatnonzero(rn == 0)
    if 0 < zero.size < n:
        live = np.flatnonzero(rn != 0)
        *sub, used = _solve(M[np.ix_(live, live)], depth + 1)
        z = zero.size
        parts = [(zero, np.zeros(z), np.eye(z), np.zeros(z), np.eye(z)), (live, *sub)]
        m, U, lam, O = _combine(parts, n, complex_)
        return (*_sorted(m, U, lam, O), used)
    if n > 1 and zero.size == 0 and depth < 16:
        order = np.argsort(rn, kind="stable")
        rs = rn[order]
        gaps = sorted(((rs[k] / rs[k - 1], k) for k in range(1, n)), reverse=True)
        for gap, k in gaps:
            if gap < GAP_MIN:
                break
            Mp = M[np.ix_(order, order)]
            bd = block_diagonaliser(Mp, k)
            if bd is None:
                continue
            W, B = bd
            light, heavy = _blocks_of(Mp, W, B, k)
            ml, Ul, laml, Ol, _ = _solve(light, depth + 1)
            mh, Uh, lamh, Oh, _ = _solve(heavy, depth + 1)
            parts = [(np.arange(k), ml, Ul, laml, Ol), (np.arange(k, n), mh, Uh, lamh, Oh)]
            m, Up, lam, Op = _combine(parts, n, complex_)
            U = np.empty_like(Up)
            U[order] = W @ Up
            O = None
            if Op is not None:
                O = np.empty_like(Op)
                O[order] = np.real(W) @ Op
            return (*_sorted(m, U, lam, O), True)
    m, U, lam, O = _block(M)
    return (*_sorted(m, U, lam, O), False)


def _sorted(m, U, lam, O):
    idx = np.argsort(m, kind="stable")
    return m[idx], U[:, idx], None if lam is None else lam[idx], None if O is None else O[:, idx]


def mass_eigensystem(M, n_light: int | None = None) -> Eigensystem:
    """Masses and mixing matrix of the symmetric mass matrix ``M`` (GeV).

    ``n_light``: how many of the first basis states are 'light' (the active flavours): the seesaw
    block diagonalisation for that split is tried first, and its light and heavy masses are each
    sorted ascending (light first).  Otherwise (or where it does not apply) exactly decoupled states
    are split off and the matrix is block-diagonalised recursively at the largest gaps in its row
    scales (module docstring), the direct factorisation where no gap is usable; masses ascending.
    """
    M = _check_symmetric(np.asarray(M))
    is_complex = np.iscomplexobj(M) and bool(np.any(M.imag != 0))
    M = M if is_complex else np.real(M).astype(float)
    bd = block_diagonaliser(M, n_light) if n_light else None
    if bd is None:
        m, U, lam, O, used = _solve(M)
        return Eigensystem(m, U, lam, O, "recursive-blocks" if used else "direct")
    W, B = bd
    nl = n_light
    n = M.shape[0]
    light, heavy = _blocks_of(M, W, B, nl)
    ml, Ul, laml, Ol, _ = _solve(light)
    mh, Uh, lamh, Oh, _ = _solve(heavy)
    parts = [(np.arange(nl), ml, Ul, laml, Ol), (np.arange(nl, n), mh, Uh, lamh, Oh)]
    masses, Ub, lam, Ob = _combine(parts, n, is_complex)
    return Eigensystem(masses, W @ Ub, lam, None if Ob is None else np.real(W) @ Ob, "seesaw-block")
