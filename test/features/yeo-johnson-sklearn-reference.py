# The reference lambdas of test/features/yeo-johnson.test.ts: scikit-learn 1.2.1,
# PowerTransformer(method="yeo-johnson", standardize=False). Run: /usr/bin/python3 test/features/yeo-johnson-sklearn-reference.py
import numpy as np, sklearn
from sklearn.preprocessing import PowerTransformer
print(sklearn.__version__)
vecs = {
 'mixed': [-3.2, -1.0, -0.5, 0.0, 0.3, 1.1, 2.5, 4.0, 7.5, 12.0, 20.4, 0.01],
 'skewed': [0.1, 0.2, 0.2, 0.5, 0.9, 1.4, 2.2, 3.9, 7.7, 15.1, 33.0, 90.5],
 'left': [-50.0, -20.0, -9.5, -4.0, -2.0, -1.0, -0.5, 0.0, 0.2, 0.3, 0.5, 0.6],
 'nan': [1.0, float('nan'), 2.0, 3.5, float('nan'), 10.0, 0.5, 6.0],
}
for k, v in vecs.items():
  pt = PowerTransformer(method='yeo-johnson', standardize=False)
  x = np.array(v).reshape(-1,1)
  t = pt.fit_transform(x)
  print(k, repr(pt.lambdas_[0]), [repr(a) for a in t[:3,0]])
