from configparser import ConfigParser
import setuptools

assert setuptools.__version__  # the nbdev template's pkg_resources check is dropped: it fails under setuptools >= 82
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

requirements = cfg.get('requirements', '').split()
# extras: `dev` (notebook tooling, tests), `datasets` (the offline dataset packages), `postgres`, `ray`
extras = {name: cfg.get(f'{name}_requirements', '').split() for name in ('dev', 'datasets', 'postgres', 'ray')}
console_scripts = cfg.get('console_scripts', '').split()

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    author=cfg['author'],
    author_email=cfg['author_email'],
    packages=setuptools.find_packages(include=['tapas_nb', 'tapas_nb.*']),
    include_package_data=True,
    package_data={'tapas_nb': ['assets/*']},
    install_requires=requirements,
    extras_require=extras,
    python_requires='>=' + cfg['min_python'],
    zip_safe=False,
    entry_points={'console_scripts': console_scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
